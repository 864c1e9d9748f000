import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { DevTokenAuthenticator, McpModule, type McpModuleOptions } from '@nest-mcp/mcp';
import { serve, type RunningApp } from './support/app.js';
import { initializeRequest, postMcp } from './support/http.js';

const ALLOWED = 'http://localhost:5173';

describe.each([
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
])('CORS, OPTIONS and HEAD of the MCP endpoint on %s', (_adapter, adapter) => {
  let running: RunningApp;
  let url: string;

  async function start(options: Partial<McpModuleOptions> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'cors', version: '1.0.0', ...options })],
    }).compile();
    const httpAdapter = adapter();
    const app = httpAdapter
      ? moduleRef.createNestApplication(httpAdapter, { logger: ['error'] })
      : moduleRef.createNestApplication({ logger: ['error'] });
    running = await serve(app);
    url = `${running.baseUrl}/mcp`;
  }

  afterEach(() => running?.close());

  const preflight = (
    origin: string,
    method = 'POST',
    requestHeaders = 'content-type, mcp-session-id, mcp-protocol-version, authorization, mcp-param-region',
  ) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders },
    });

  it('answers a preflight from an allowed origin with what it may send, and refuses others', async () => {
    await start();
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(
      Object.fromEntries(
        [
          'access-control-allow-origin',
          'access-control-allow-methods',
          'access-control-allow-headers',
          'access-control-max-age',
          'allow',
        ].map((name) => [name, allowed.headers.get(name)]),
      ),
    ).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': 'content-type, mcp-session-id, mcp-protocol-version, authorization, mcp-param-region',
      'access-control-max-age': '600',
      allow: 'GET, POST, DELETE, OPTIONS',
    });
    for (const refused of [
      await preflight('https://evil.example.com'),
      await preflight(ALLOWED, 'PUT'),
      await preflight(ALLOWED, 'POST', 'x-custom'),
    ]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      await refused.text();
    }
  });

  it('answers OPTIONS without Origin with Allow, and HEAD with 405', async () => {
    await start();
    const options = await fetch(url, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, POST, DELETE, OPTIONS']);
    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).toEqual([405, 'GET, POST, DELETE, OPTIONS']);
  });

  it('lets an allowed origin read the answer and its session id; a response to another origin has no CORS headers', async () => {
    await start();
    const response = await postMcp(url, initializeRequest(), { headers: { origin: ALLOWED } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id, WWW-Authenticate, Retry-After');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(response.headers.get('mcp-session-id')).toBeTruthy();
    await response.text();
    const plain = await postMcp(url, initializeRequest());
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    await plain.text();
  });

  it('puts CORS headers on auth refusals too, so a browser can read the challenge', async () => {
    await start({ auth: { authenticator: new DevTokenAuthenticator({ tokens: { 'dev-alice': { subject: 'alice' } } }) } });
    expect((await preflight(ALLOWED)).status).toBe(204);
    const refused = await postMcp(url, initializeRequest(), { headers: { origin: ALLOWED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await refused.text();
  });
});
