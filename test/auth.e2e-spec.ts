import { InvalidTokenError } from '@nest-mcp/mcp';
import type { RunningApp } from './support/app.js';
import { AUDIENCE, connectWithToken, NotesTools, startAuthApp, textOf } from './support/auth-app.js';
import { TestAuthorizationServer } from './support/authorization-server.js';
import { initializeRequest, openSession, postMcp } from './support/http.js';
import { callModern, postModern } from './support/modern-http.js';
import { parseWwwAuthenticate } from './support/www-authenticate.js';

/** Bearer auth of the MCP endpoint against a real local authorization server and real keys. */
describe('MCP endpoint as an OAuth resource server', () => {
  let as: TestAuthorizationServer;
  let running: RunningApp;
  let url: string;
  let prmUrl: string;

  beforeAll(async () => {
    as = await TestAuthorizationServer.start({ audience: AUDIENCE });
    running = await startAuthApp({
      auth: {
        issuer: as.issuer,
        audience: AUDIENCE,
        scopesSupported: ['notes:read', 'notes:write'],
        documentation: 'https://docs.example.test/mcp',
      },
    });
    url = `${running.baseUrl}/mcp`;
    prmUrl = `${running.baseUrl}/.well-known/oauth-protected-resource/mcp`;
  });

  afterAll(async () => {
    await running?.close();
    await as?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const initialize = (headers: Record<string, string> = {}, target = url) => postMcp(target, initializeRequest(), { headers });

  /** Status, parsed challenge and body of a refused initialize. */
  async function refusal(headers: Record<string, string>, target = url) {
    const response = await initialize(headers, target);
    const body = (await response.json()) as Record<string, unknown>;
    const header = response.headers.get('www-authenticate');
    return { status: response.status, challenge: header === null ? undefined : parseWwwAuthenticate(header), body, response };
  }

  describe('happy path with the official SDK client', () => {
    it('initializes, calls a tool, and the tool sees the principal in ctx.auth', async () => {
      const token = await as.mint({ sub: 'alice', scope: 'notes:read notes:write', client_id: 'desktop-app' });
      const { client } = await connectWithToken(url, token);
      try {
        const result = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
        expect(result).toEqual({
          subject: 'alice',
          issuer: as.issuer,
          scopes: ['notes:read', 'notes:write'],
          clientId: 'desktop-app',
          anonymous: false,
          jti: expect.any(String),
        });
        expect(textOf(await client.callTool({ name: 'add_note', arguments: { text: 'hi' } }))).toBe('alice noted: hi');
      } finally {
        await client.close();
      }
    });

    it('accepts ES256 tokens, `scp` lists, `azp` as client id and application/at+jwt', async () => {
      const token = await as.mint(
        { sub: 'erin', scope: undefined, scp: ['notes:read'], client_id: undefined, azp: 'spa' },
        { alg: 'ES256', typ: 'application/at+jwt' },
      );
      const { client } = await connectWithToken(url, token);
      try {
        expect(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))).toMatchObject({
          subject: 'erin',
          scopes: ['notes:read'],
          clientId: 'spa',
        });
      } finally {
        await client.close();
      }
    });

    it('accepts an audience list containing ours, and clock skew within the leeway', async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const claims of [{ aud: ['https://other.example', AUDIENCE] }, { exp: now - 30 }, { nbf: now + 30, iat: now + 30 }]) {
        const response = await initialize(bearer(await as.mint(claims)));
        expect(response.status).toBe(200);
        await response.text();
      }
    });
  });

  describe('requests without valid credentials never reach a handler', () => {
    it('answers a request without token 401 with the resource_metadata challenge', async () => {
      const { status, challenge, body } = await refusal({});
      expect(status).toBe(401);
      expect(challenge).toEqual({ scheme: 'Bearer', params: { resource_metadata: prmUrl } });
      expect(body).toEqual({ error: 'unauthorized', error_description: expect.stringContaining('Bearer') });
    });

    it('answers another auth scheme like no token (401, no error code)', async () => {
      const { status, challenge } = await refusal({ authorization: 'Basic YWxpY2U6c2VjcmV0' });
      expect(status).toBe(401);
      expect(challenge?.params).toEqual({ resource_metadata: prmUrl });
    });

    it.each([
      ['Bearer without token', 'Bearer'],
      ['two tokens', 'Bearer abc def'],
      ['a token with a quote', 'Bearer abc"def'],
      ['a bare token without scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
    ])('answers a malformed header (%s) 400 invalid_request', async (_label, authorization) => {
      const { status, challenge, body } = await refusal({ authorization });
      expect(status).toBe(400);
      expect(challenge?.params).toEqual({
        error: 'invalid_request',
        error_description: 'Malformed Authorization header: expected "Bearer <token>".',
        resource_metadata: prmUrl,
      });
      expect(body).toEqual({ error: 'invalid_request', error_description: challenge?.params.error_description });
    });

    it('refuses a token in the query string with 400 invalid_request', async () => {
      const token = await as.mint();
      const { status, challenge } = await refusal({}, `${url}?access_token=${token}`);
      expect(status).toBe(400);
      expect(challenge?.params.error).toBe('invalid_request');
    });

    const now = () => Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<string>, string]> = [
      ['expired', () => as.mint({ exp: now() - 3600, iat: now() - 7200 }), InvalidTokenError.EXPIRED],
      ['not yet valid (nbf)', () => as.mint({ nbf: now() + 3600 }), InvalidTokenError.NOT_YET_VALID],
      ['issued in the future (iat)', () => as.mint({ iat: now() + 3600 }), InvalidTokenError.NOT_YET_VALID],
      ['from another issuer', () => as.mint({ iss: 'https://evil.example' }), InvalidTokenError.INVALID],
      ['for another audience', () => as.mint({ aud: 'https://other.example/mcp' }), InvalidTokenError.INVALID],
      ['without audience', () => as.mint({ aud: undefined }), InvalidTokenError.INVALID],
      ['typed JWT instead of at+jwt', () => as.mint({}, { typ: 'JWT' }), InvalidTokenError.INVALID],
      ['untyped', () => as.mint({}, { typ: null }), InvalidTokenError.INVALID],
      ['alg none', () => Promise.resolve(as.unsigned()), InvalidTokenError.INVALID],
      ['HS256 signed with the RSA public key', () => as.hs256WithPublicKey(), InvalidTokenError.INVALID],
      ['signed by a key with an unknown kid', () => as.mint({}, { unpublishedKey: true, kid: 'rogue-key' }), InvalidTokenError.INVALID],
      ['signed by another key under a known kid', () => as.mint({}, { unpublishedKey: true }), InvalidTokenError.INVALID],
      ['ES256-signed but naming the RSA kid', () => as.mint({}, { alg: 'ES256', kid: as.currentKid('RS256') }), InvalidTokenError.INVALID],
      [
        'with a tampered payload',
        async () => {
          const [header, , signature] = (await as.mint({ sub: 'alice' })).split('.');
          return `${header}.${Buffer.from(JSON.stringify(as.claims({ sub: 'mallory' }))).toString('base64url')}.${signature}`;
        },
        InvalidTokenError.INVALID,
      ],
      ['without sub', () => as.mint({ sub: undefined }), InvalidTokenError.INVALID],
      ['without exp', () => as.mint({ exp: undefined }), InvalidTokenError.INVALID],
      ['that is not a JWT', () => Promise.resolve('not-a-jwt'), InvalidTokenError.INVALID],
    ];

    it.each(cases)('answers a token %s 401 invalid_token with a fixed description', async (_label, mint, description) => {
      const token = await mint();
      const before = running.app.get(NotesTools).calls.length;
      const { status, challenge, body } = await refusal(bearer(token));
      expect(status).toBe(401);
      expect(challenge).toEqual({
        scheme: 'Bearer',
        params: { error: 'invalid_token', error_description: description, resource_metadata: prmUrl },
      });
      expect(body).toEqual({ error: 'invalid_token', error_description: description });
      expect(running.app.get(NotesTools).calls.length).toBe(before);
    });

    it('guards GET and DELETE too', async () => {
      const token = await as.mint();
      const sessionId = await openSession(url, { headers: bearer(token) });
      const get = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId } });
      expect(get.status).toBe(401);
      expect(parseWwwAuthenticate(get.headers.get('www-authenticate')).params.resource_metadata).toBe(prmUrl);
      await get.text();
      const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
      expect(del.status).toBe(401);
      await del.text();
    });
  });

  describe('sessions belong to the principal that created them', () => {
    it('answers another user 404 on POST, GET and DELETE, exactly like an unknown session', async () => {
      const alice = await as.mint({ sub: 'alice' });
      const bob = await as.mint({ sub: 'bob' });
      const sessionId = await openSession(url, { headers: bearer(alice) });
      const ping = { jsonrpc: '2.0', id: 7, method: 'ping' };

      const unknown = await postMcp(url, ping, { sessionId: 'x'.repeat(43), headers: bearer(bob) });
      const unknownBody = await unknown.text();
      const hijack = await postMcp(url, ping, { sessionId, headers: bearer(bob) });
      expect(hijack.status).toBe(404);
      expect(await hijack.text()).toBe(unknownBody);
      expect(unknown.status).toBe(404);
      const get = await fetch(url, { headers: { ...bearer(bob), accept: 'text/event-stream', 'mcp-session-id': sessionId } });
      expect(get.status).toBe(404);
      await get.text();
      const del = await fetch(url, { method: 'DELETE', headers: { ...bearer(bob), 'mcp-session-id': sessionId } });
      expect(del.status).toBe(404);
      await del.text();

      // Alice's session is untouched by Bob's attempts.
      const own = await postMcp(url, ping, { sessionId, headers: bearer(alice) });
      expect(own.status).toBe(200);
      expect(await own.json()).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    });

    it('binds to (issuer, subject): the same user with a fresh token keeps the session', async () => {
      const sessionId = await openSession(url, { headers: bearer(await as.mint({ sub: 'alice' })) });
      const again = await postMcp(
        url,
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { sessionId, headers: bearer(await as.mint({ sub: 'alice', scope: 'notes:write' })) },
      );
      expect(again.status).toBe(200);
      await again.text();
    });
  });

  describe('per-tool scopes', () => {
    it('hides a tool from tools/list for callers without its scopes', async () => {
      const reader = await connectWithToken(url, await as.mint({ scope: 'notes:read' }));
      const writer = await connectWithToken(url, await as.mint({ scope: 'notes:read notes:write' }));
      try {
        expect((await reader.client.listTools()).tools.map((tool) => tool.name)).toEqual(['whoami']);
        const tools = (await writer.client.listTools()).tools;
        expect(tools.map((tool) => tool.name).sort()).toEqual(['add_note', 'whoami']);
        expect(tools.find((tool) => tool.name === 'add_note')).not.toHaveProperty('scopes');
      } finally {
        await reader.client.close();
        await writer.client.close();
      }
    });

    it('answers a call without the scope HTTP 403 insufficient_scope naming it (step-up)', async () => {
      const token = await as.mint({ scope: 'notes:read' });
      const sessionId = await openSession(url, { headers: bearer(token) });
      const before = running.app.get(NotesTools).calls.length;
      const response = await postMcp(
        url,
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add_note', arguments: { text: 'x' } } },
        { sessionId, headers: bearer(token) },
      );
      expect(response.status).toBe(403);
      expect(parseWwwAuthenticate(response.headers.get('www-authenticate'))).toEqual({
        scheme: 'Bearer',
        params: {
          error: 'insufficient_scope',
          error_description: 'The access token lacks a scope this request needs.',
          scope: 'notes:write',
          resource_metadata: prmUrl,
        },
      });
      expect(await response.json()).toEqual({
        error: 'insufficient_scope',
        error_description: 'The access token lacks a scope this request needs.',
      });
      expect(running.app.get(NotesTools).calls.length).toBe(before);
    });

    it('surfaces the 403 to an SDK client without an auth provider', async () => {
      const { client } = await connectWithToken(url, await as.mint({ scope: 'notes:read' }));
      try {
        await expect(client.callTool({ name: 'add_note', arguments: { text: 'x' } })).rejects.toMatchObject({ code: 403 });
      } finally {
        await client.close();
      }
    });
  });

  describe('2026-07-28 stateless requests', () => {
    it('need a token too, see the principal, and get the step-up 403 for a scoped tool', async () => {
      const anonymous = await postModern(url, 'tools/call', { name: 'whoami', arguments: {} });
      expect(anonymous.status).toBe(401);
      await anonymous.text();
      const reader = await as.mint({ sub: 'carol', scope: 'notes:read' });
      const whoami = await callModern(url, 'tools/call', { name: 'whoami', arguments: {} }, { headers: bearer(reader) });
      expect(JSON.parse(whoami.response.result.content[0].text)).toMatchObject({ subject: 'carol', scopes: ['notes:read'] });
      const write = await postModern(url, 'tools/call', { name: 'add_note', arguments: { text: 'x' } }, { headers: bearer(reader) });
      expect(write.status).toBe(403);
      expect(parseWwwAuthenticate(write.headers.get('www-authenticate'))).toMatchObject({ params: { error: 'insufficient_scope' } });
      await write.text();
    });
  });

  describe('Protected Resource Metadata (RFC 9728) and the authorization server mirror', () => {
    const expected = () => ({
      resource: url,
      authorization_servers: [as.issuer],
      scopes_supported: ['notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'auth-test',
      resource_documentation: 'https://docs.example.test/mcp',
    });

    it('serves the path-inserted document, without a token, with CORS', async () => {
      const response = await fetch(prmUrl, { headers: { origin: 'https://inspector.example' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toStrictEqual(expected());
    });

    it('serves the same document at the root form', async () => {
      const response = await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource`);
      expect(response.status).toBe(200);
      expect(await response.json()).toStrictEqual(expected());
    });

    it('names the resource as the client reached it: the challenge URL and the resource match the Host', async () => {
      const alias = url.replace('127.0.0.1', 'localhost');
      const { challenge } = await refusal({}, alias);
      const metadataUrl = challenge!.params.resource_metadata;
      expect(metadataUrl).toBe(prmUrl.replace('127.0.0.1', 'localhost'));
      const document = (await (await fetch(metadataUrl)).json()) as { resource: string };
      expect(document.resource).toBe(alias);
    });

    it('answers CORS preflights for GET with the requested headers', async () => {
      const response = await fetch(prmUrl, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://inspector.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'mcp-protocol-version',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS');
      expect(response.headers.get('access-control-allow-headers')).toBe('mcp-protocol-version');
    });

    it('mirrors the authorization server metadata at /.well-known/oauth-authorization-server', async () => {
      const response = await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const document = (await response.json()) as Record<string, unknown>;
      expect(document).toStrictEqual(as.metadata('oidc'));
      expect(document.issuer).toBe(as.issuer);
      expect(document.jwks_uri).toBe(as.jwksUri);
      expect(document.token_endpoint).toBe(as.tokenEndpoint);
      expect(document.code_challenge_methods_supported).toEqual(['S256']);
    });

    it('is found by the SDK client discovery functions', async () => {
      const { discoverOAuthProtectedResourceMetadata, discoverAuthorizationServerMetadata } =
        await import('@modelcontextprotocol/sdk/client/auth.js');
      const resource = await discoverOAuthProtectedResourceMetadata(url);
      expect(resource.resource).toBe(url);
      expect(resource.authorization_servers).toEqual([as.issuer]);
      const server = await discoverAuthorizationServerMetadata(resource.authorization_servers![0]);
      expect(server?.token_endpoint).toBe(as.tokenEndpoint);
    });
  });
});
