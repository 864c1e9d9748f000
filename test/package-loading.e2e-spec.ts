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
