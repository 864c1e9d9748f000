import { Injectable, Module } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuthConfigurationError, DevTokenAuthenticator, InvalidTokenError, McpModule } from '@nest-mcp/mcp';
import { PassportAuthenticator } from '@nest-mcp/mcp/auth';
import type { Request } from 'express';
import passport from 'passport';
import { startApp, type RunningApp } from './support/app.js';
import { AUDIENCE, connectWithToken, NotesTools, startAuthApp, textOf } from './support/auth-app.js';
import { TestAuthorizationServer } from './support/authorization-server.js';
import { initializeRequest, openSession, postMcp } from './support/http.js';
import { freePort } from './support/redis-server.js';
import { parseWwwAuthenticate } from './support/www-authenticate.js';

const callTool = (url: string, sessionId: string, headers: Record<string, string>, name: string, args: object = {}) =>
  postMcp(url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name, arguments: args } }, { sessionId, headers });

describe('auth flows end to end', () => {
  let as: TestAuthorizationServer;
  const apps: RunningApp[] = [];
  const app = async (...args: Parameters<typeof startAuthApp>) => {
    const running = await startAuthApp(...args);
    apps.push(running);
    return running;
  };

  beforeAll(async () => {
    as = await TestAuthorizationServer.start({ audience: AUDIENCE, clients: { 'svc-client': { secret: 's3cret' } } });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((running) => running.close()));
  });
  afterAll(async () => {
    await as.close();
  });

  it('lets the SDK client discover the authorization server from the 401, get a token for this resource, and react to a 403', async () => {
    // The token's audience is the resource the client discovers, so the app needs its URL up front.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        McpModule.forRoot({
          name: 'flow',
          version: '1.0.0',
          auth: { issuer: as.issuer, audience: url, scopesSupported: ['notes:read'] },
        }),
      ],
      providers: [NotesTools],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    await nest.listen(port, '127.0.0.1');
    apps.push({ app: nest, baseUrl: `http://127.0.0.1:${port}`, close: () => nest.close() });

    const client = new Client({ name: 'm2m', version: '1.0.0' });
    const provider = new ClientCredentialsProvider({
      clientId: 'svc-client',
      clientSecret: 's3cret',
      scope: 'notes:read',
      expectedIssuer: as.issuer,
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
    try {
      expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({
        subject: 'svc-client',
        issuer: as.issuer,
        clientId: 'svc-client',
        scopes: ['notes:read'],
      });
      expect(as.tokenRequests).toEqual([{ grantType: 'client_credentials', clientId: 'svc-client', resource: url, scope: 'notes:read' }]);

      // add_note needs notes:write: the SDK reads the 403 insufficient_scope challenge and runs the
      // auth flow again (step-up). Its client_credentials provider always asks for its configured
      // scope, so the retry is refused once more and the SDK gives up, as it should.
      await expect(client.callTool({ name: 'add_note', arguments: { text: 'x' } })).rejects.toThrow(/403 after trying upscoping/);
      expect(as.tokenRequests).toHaveLength(2);
      expect(as.tokenRequests[1]).toMatchObject({ clientId: 'svc-client', resource: url });
    } finally {
      await client.close();
    }
  });

  it('requires auth.requiredScopes on every request: 401 hints them, 403 names them', async () => {
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, requiredScopes: ['mcp:access'] } });
    const url = `${running.baseUrl}/mcp`;
    const missing = await postMcp(url, initializeRequest());
    expect(missing.status).toBe(401);
    expect(parseWwwAuthenticate(missing.headers.get('www-authenticate')).params.scope).toBe('mcp:access');

    const invalid = await postMcp(url, initializeRequest(), {
      headers: { authorization: `Bearer ${await as.mint({ aud: 'https://nope' })}` },
    });
    expect(parseWwwAuthenticate(invalid.headers.get('www-authenticate')).params).toMatchObject({
      error: 'invalid_token',
      scope: 'mcp:access',
    });

    const lacking = await postMcp(url, initializeRequest(), {
      headers: { authorization: `Bearer ${await as.mint({ scope: 'notes:read' })}` },
    });
    expect(lacking.status).toBe(403);
    expect(parseWwwAuthenticate(lacking.headers.get('www-authenticate')).params).toEqual({
      error: 'insufficient_scope',
      error_description: 'The access token lacks a scope this request needs.',
      scope: 'mcp:access',
      resource_metadata: `${running.baseUrl}/.well-known/oauth-protected-resource/mcp`,
    });

    const token = await as.mint({ scope: 'mcp:access' });
    const sessionId = await openSession(url, { headers: { authorization: `Bearer ${token}` } });
    // A tool's own scopes come on top of the required ones in the step-up challenge.
    const step = await callTool(url, sessionId, { authorization: `Bearer ${token}` }, 'add_note', { text: 'x' });
    expect(step.status).toBe(403);
    expect(parseWwwAuthenticate(step.headers.get('www-authenticate')).params.scope).toBe('mcp:access notes:write');
    expect(
      ((await (await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource`)).json()) as { scopes_supported: string[] })
        .scopes_supported,
    ).toEqual(['mcp:access']);
  });

  it('honours a scope hierarchy (impliedScopes) in ctx.auth, tools/list and calls', async () => {
    const running = await app({
      auth: { issuer: as.issuer, audience: AUDIENCE, impliedScopes: { 'notes:admin': ['notes:write'], 'notes:write': ['notes:read'] } },
    });
    const { client } = await connectWithToken(`${running.baseUrl}/mcp`, await as.mint({ scope: 'notes:admin' }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['add_note', 'whoami']);
      expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).scopes).toEqual([
        'notes:admin',
        'notes:write',
        'notes:read',
      ]);
      expect(textOf(await client.callTool({ name: 'add_note', arguments: { text: 'ok' } }))).toBe('alice noted: ok');
    } finally {
      await client.close();
    }
  });

  it('lists tools the caller cannot use with hideUnauthorizedTools: false (calling them still steps up)', async () => {
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, hideUnauthorizedTools: false } });
    const { client } = await connectWithToken(`${running.baseUrl}/mcp`, await as.mint({ scope: 'notes:read' }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['add_note', 'whoami']);
      await expect(client.callTool({ name: 'add_note', arguments: { text: 'x' } })).rejects.toMatchObject({ code: 403 });
    } finally {
      await client.close();
    }
  });

  it('without auth, keeps scoped tools from anonymous callers (hidden, 403 without resource_metadata)', async () => {
    const running = await app({});
    const url = `${running.baseUrl}/mcp`;
    const sessionId = await openSession(url);
    const list = await postMcp(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId });
    expect(((await list.json()) as { result: { tools: Array<{ name: string }> } }).result.tools.map((tool) => tool.name)).toEqual([
      'whoami',
    ]);
    const call = await callTool(url, sessionId, {}, 'add_note', { text: 'x' });
    expect(call.status).toBe(403);
    expect(parseWwwAuthenticate(call.headers.get('www-authenticate')).params).toEqual({
      error: 'insufficient_scope',
      error_description: 'The access token lacks a scope this request needs.',
      scope: 'notes:write',
    });
    const whoami = await callTool(url, sessionId, {}, 'whoami');
    expect(JSON.parse(((await whoami.json()) as { result: { content: Array<{ text: string }> } }).result.content[0].text)).toMatchObject({
      subject: 'anonymous',
      anonymous: true,
    });
  });

  it('takes auth options from forRootAsync', async () => {
    const served = await startApp({
      imports: [
        McpModule.forRootAsync({
          useFactory: async () => ({ name: 'async', version: '1.0.0', auth: { issuer: as.issuer, audience: AUDIENCE } }),
        }),
      ],
      providers: [NotesTools],
    });
    apps.push(served);
    const { baseUrl } = served;
    expect((await postMcp(`${baseUrl}/mcp`, initializeRequest())).status).toBe(401);
    const ok = await postMcp(`${baseUrl}/mcp`, initializeRequest(), { headers: { authorization: `Bearer ${await as.mint()}` } });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  describe('DevTokenAuthenticator', () => {
    const tokens = { 'dev-alice': { subject: 'alice', scopes: ['notes:write'] }, 'dev-bob': { subject: 'bob' } };

    it('accepts its static tokens, binds sessions to them and refuses others', async () => {
      const running = await app({ auth: { authenticator: new DevTokenAuthenticator({ tokens }) } });
      const url = `${running.baseUrl}/mcp`;
      const { client } = await connectWithToken(url, 'dev-alice');
      try {
        expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({
          subject: 'alice',
          issuer: 'dev-token',
          scopes: ['notes:write'],
        });
        expect(textOf(await client.callTool({ name: 'add_note', arguments: { text: 'local' } }))).toBe('alice noted: local');
      } finally {
        await client.close();
      }
      const wrong = await postMcp(url, initializeRequest(), { headers: { authorization: 'Bearer dev-mallory' } });
      expect(wrong.status).toBe(401);
      expect(parseWwwAuthenticate(wrong.headers.get('www-authenticate')).params).toEqual({
        error: 'invalid_token',
        error_description: InvalidTokenError.INVALID,
        resource_metadata: `${running.baseUrl}/.well-known/oauth-protected-resource/mcp`,
      });
      // No issuer configured: the metadata names no authorization server.
      const document = (await (await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<
        string,
        unknown
      >;
      expect(document).toStrictEqual({ resource: url, bearer_methods_supported: ['header'], resource_name: 'auth-test' });
      const sessionId = await openSession(url, { headers: { authorization: 'Bearer dev-alice' } });
      const hijack = await postMcp(
        url,
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { sessionId, headers: { authorization: 'Bearer dev-bob' } },
      );
      expect(hijack.status).toBe(404);
      await hijack.text();
    });

    it('refuses to start with NODE_ENV=production', () => {
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        expect(() => new DevTokenAuthenticator({ tokens })).toThrow(AuthConfigurationError);
        expect(() => new DevTokenAuthenticator({ tokens })).toThrow(/NODE_ENV=production/);
      } finally {
        process.env.NODE_ENV = previous;
      }
    });
  });

  describe('PassportAuthenticator with an app-defined passport strategy', () => {
    type Verify = (key: string, done: (error: unknown, user?: object | null) => void) => void;

    /** A passport strategy of the app: API keys in `X-Api-Key`, checked by a verify callback. */
    class ApiKeyStrategy extends passport.Strategy {
      override name = 'api-key';
      constructor(private readonly verify: Verify) {
        super();
      }
      override authenticate(request: Request): void {
        const key = request.headers['x-api-key'];
        if (typeof key !== 'string') return this.fail(401);
        this.verify(key, (error, user) => (error ? this.error(error) : user ? this.success(user) : this.fail('unknown key')));
      }
    }

    /** The Nest way: `PassportStrategy` registers it under "api-key"; `validate` is the verify callback. */
    @Injectable()
    class ApiKeyPassportStrategy extends PassportStrategy(ApiKeyStrategy, 'api-key') {
      validate(key: string) {
        return key === 'k-123' ? { sub: 'service-a', iss: 'api-keys', scope: 'notes:write' } : null;
      }
    }

    @Module({ providers: [ApiKeyPassportStrategy] })
    class ApiKeysModule {}

    it('authenticates through the strategy and maps its failures', async () => {
      const served = await startApp({
        imports: [
          ApiKeysModule,
          McpModule.forRoot({
            name: 'keys',
            version: '1.0.0',
            auth: { issuer: as.issuer, authenticator: new PassportAuthenticator('api-key') },
          }),
        ],
        providers: [NotesTools],
      });
      apps.push(served);
      const { baseUrl } = served;
      const url = `${baseUrl}/mcp`;

      const none = await postMcp(url, initializeRequest());
      expect(none.status).toBe(401);
      expect(parseWwwAuthenticate(none.headers.get('www-authenticate')).params.error).toBeUndefined();
      await none.text();
      const wrong = await postMcp(url, initializeRequest(), { headers: { 'x-api-key': 'nope', authorization: 'ApiKey nope' } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'invalid_token', error_description: InvalidTokenError.INVALID });

      const sessionId = await openSession(url, { headers: { 'x-api-key': 'k-123' } });
      const whoami = await callTool(url, sessionId, { 'x-api-key': 'k-123' }, 'whoami');
      expect(JSON.parse(((await whoami.json()) as { result: { content: Array<{ text: string }> } }).result.content[0].text)).toMatchObject({
        subject: 'service-a',
        issuer: 'api-keys',
        scopes: ['notes:write'],
      });
    });
  });
});
