import { Test } from '@nestjs/testing';
import { DevTokenAuthenticator, McpModule, type McpModuleOptions } from '@nest-mcp/mcp';
import { RecordingLogger } from './support/recording-logger.js';

/** The library warns when an endpoint without auth is reachable beyond loopback. */
describe('open endpoint warning', () => {
  async function warningsWhenListening(host: string, options: Partial<McpModuleOptions> = {}): Promise<string[]> {
    const logger = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'open', version: '1.0.0', ...options })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger });
    try {
      await app.listen(0, host);
      await new Promise((resolve) => setImmediate(resolve));
      return logger.warnings.filter((warning) => warning.includes('has no auth'));
    } finally {
      await app.close();
    }
  }

  it('warns when the server listens on every interface without auth', async () => {
    const [warning] = await warningsWhenListening('0.0.0.0');
    expect(warning).toMatch(/^The MCP endpoint \/mcp has no auth and the server listens on 0\.0\.0\.0:\d+, beyond loopback/);
  });

  it('stays quiet on loopback, with auth, and when told to', async () => {
    expect(await warningsWhenListening('127.0.0.1')).toEqual([]);
    const authenticator = new DevTokenAuthenticator({ tokens: { 'dev-token': { subject: 'alice' } } });
    expect(await warningsWhenListening('0.0.0.0', { auth: { authenticator } })).toEqual([]);
    expect(await warningsWhenListening('0.0.0.0', { warnWhenOpen: false })).toEqual([]);
  });
});
