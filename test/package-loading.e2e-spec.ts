import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../libs/mcp/dist/', import.meta.url));

/** Which auth libraries a fresh Node process has loaded after importing one entry point of the built package. */
function authLibrariesLoadedBy(entry: string): number {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    await import(${JSON.stringify(DIST + entry)});
    const loaded = Object.keys(require.cache).filter((path) => /node_modules\\/(passport|passport-jwt|jwks-rsa|@nestjs\\/passport)\\//.test(path));
    process.stdout.write(String(loaded.length));
  `;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

/** The package as an app imports it: auth libraries are loaded only by apps that use them. */
describe('what importing @nest-mcp/mcp loads', () => {
  it('loads no passport, passport-jwt, jwks-rsa or @nestjs/passport from the main entry point', () => {
    expect(authLibrariesLoadedBy('index.js')).toBe(0);
  });

  it('loads them from @nest-mcp/mcp/auth', () => {
    expect(authLibrariesLoadedBy('auth/index.js')).toBeGreaterThan(0);
  });
});

/** The names each entry point exports at run time, as ESM (`import`) and as CommonJS (`require`) in a fresh process. */
function exportedNames(entry: string): { esm: string[]; cjs: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(${JSON.stringify(fileURLToPath(new URL('../package.json', import.meta.url)))});
    const names = (module) => Object.keys(module).filter((name) => name !== 'default' && name !== 'module.exports').sort();
    process.stdout.write(JSON.stringify({ esm: names(await import(${JSON.stringify(entry)})), cjs: names(require(${JSON.stringify(entry)})) }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

/** The public API, pinned: an export added or removed by accident fails here; a deliberate one updates this list. */
describe('public API of each entry point', () => {
  const entries: Record<string, string[]> = {
    '@nest-mcp/mcp': [
      'ANONYMOUS_PRINCIPAL',
      'AuthConfigurationError',
      'AuthDiscoveryError',
      'AuthUnavailableError',
      'Authenticator',
      'DevTokenAuthenticator',
      'InsufficientScopeError',
      'InvalidAuthRequestError',
      'InvalidTokenError',
      'JsonRpcErrorCode',
      'LATEST_PROTOCOL_VERSION',
      'LEGACY_PROTOCOL_VERSIONS',
      'LOGGING_LEVELS',
      'LOOPBACK_ORIGINS',
      'MODERN_PROTOCOL_VERSIONS',
      'McpAuthError',
      'McpClientCapabilityError',
      'McpClientRequestError',
      'McpCompletion',
      'McpContext',
      'McpError',
      'McpFsResourcesModule',
      'McpHttpException',
      'McpModule',
      'McpPrompt',
      'McpReadiness',
      'McpRegistrationError',
      'McpRegistry',
      'McpResource',
      'McpResourceTemplate',
      'McpSessionEvents',
      'McpSessions',
      'McpStdio',
      'McpTool',
      'McpToolError',
      'MemorySessionHost',
      'MissingCredentialsError',
      'ReplayUnavailableError',
      'RequestAbortedError',
      'SUPPORTED_PROTOCOL_VERSIONS',
      'SessionExistsError',
      'SessionHost',
      'SessionHostUnavailableError',
      'SessionLimitError',
      'SessionValueLimitError',
      'SessionsPerPrincipalError',
      'StderrLogger',
      'TASKS_EXTENSION',
      'TaskLimitError',
      'audio',
      'byCreation',
      'embeddedResource',
      'image',
      'parseTaskCursor',
      'principalFromUser',
      'readBearerToken',
      'resourceContents',
      'resourceLink',
      'taskCursor',
      'text',
    ],
    '@nest-mcp/mcp/auth': ['JwtAuthenticator', 'PassportAuthenticator'],
    '@nest-mcp/mcp/testing': ['describeSessionHostContract', 'sessionMetadata'],
    '@nest-mcp/mcp/terminus': ['McpHealthIndicator'],
    '@nest-mcp/mcp-redis': ['McpRedisModule', 'RedisSessionHost'],
  };

  it.each(Object.entries(entries))('%s exports the same names to import and require', (entry, expected) => {
    expect(exportedNames(entry)).toEqual({ esm: [...expected].sort(), cjs: [...expected].sort() });
  });
});

describe('injection tokens', () => {
  it('are one symbol in the ESM and the CommonJS build, so an app that loads both resolves one provider', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(${JSON.stringify(fileURLToPath(new URL('../package.json', import.meta.url)))});
      const esm = await import('@nest-mcp/mcp');
      const cjs = require('@nest-mcp/mcp');
      process.stdout.write(JSON.stringify({
        separateBuilds: esm.McpModule !== cjs.McpModule,
        sessionHost: typeof esm.SessionHost === 'symbol' && esm.SessionHost === cjs.SessionHost,
        authenticator: typeof esm.Authenticator === 'symbol' && esm.Authenticator === cjs.Authenticator,
      }));
    `;
    expect(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))).toEqual({
      separateBuilds: true,
      sessionHost: true,
      authenticator: true,
    });
  });
});
