import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningApp } from './support/app.js';
import { AUDIENCE, startAuthApp } from './support/auth-app.js';
import { TestAuthorizationServer } from './support/authorization-server.js';
import { initializeRequest, postMcp } from './support/http.js';
import { parseWwwAuthenticate } from './support/www-authenticate.js';

/** Signing keys: caching, rotation without restart, and an unreachable JWKS. */
describe('signing keys from the JWKS', () => {
  let as: TestAuthorizationServer;
  let running: RunningApp | undefined;

  const initialize = async (baseUrl: string, token: string) => {
    const response = await postMcp(`${baseUrl}/mcp`, initializeRequest(), { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  beforeEach(async () => {
    as = await TestAuthorizationServer.start({ audience: AUDIENCE });
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    await as.close();
  });

  const start = async (extra: Record<string, unknown> = {}) => {
    running = await startAuthApp({ auth: { issuer: as.issuer, audience: AUDIENCE, ...extra } });
    return running.baseUrl;
  };

  it('fetches the JWKS once for a kid, then serves it from the cache', async () => {
    const baseUrl = await start();
    expect(as.jwksRequests).toBe(0);
    for (let i = 0; i < 3; i++) expect((await initialize(baseUrl, await as.mint())).status).toBe(200);
    expect(as.jwksRequests).toBe(1);
    expect((await initialize(baseUrl, await as.mint({}, { alg: 'ES256' }))).status).toBe(200);
    expect(as.jwksRequests).toBe(2);
  });

  it('verifies tokens signed with rotated keys without restart: an unknown kid triggers one refetch', async () => {
    const baseUrl = await start();
    const oldToken = await as.mint();
    expect((await initialize(baseUrl, oldToken)).status).toBe(200);
    expect(as.jwksRequests).toBe(1);

    await as.rotate({ keepOld: true });
    const newToken = await as.mint();
    expect((await initialize(baseUrl, newToken)).status).toBe(200);
    expect(as.jwksRequests).toBe(2);
    expect((await initialize(baseUrl, newToken)).status).toBe(200);
    expect((await initialize(baseUrl, oldToken)).status).toBe(200);
    expect(as.jwksRequests).toBe(2);
  });

  it('stops accepting a retired key once its cache entry expires', async () => {
    const baseUrl = await start({ jwksCacheMaxAgeMs: 200 });
    const oldToken = await as.mint();
    expect((await initialize(baseUrl, oldToken)).status).toBe(200);
    await as.rotate();
    await sleep(300);
    const refused = await initialize(baseUrl, oldToken);
    expect(refused.status).toBe(401);
    expect(parseWwwAuthenticate(refused.headers.get('www-authenticate')).params.error).toBe('invalid_token');
    expect((await initialize(baseUrl, await as.mint())).status).toBe(200);
  });

  it('refetches once per unknown kid and answers 401, not 503', async () => {
    const baseUrl = await start();
    expect((await initialize(baseUrl, await as.mint())).status).toBe(200);
    const before = as.jwksRequests;
    const rogue = await as.mint({}, { unpublishedKey: true, kid: 'rogue-1' });
    expect((await initialize(baseUrl, rogue)).status).toBe(401);
    expect(as.jwksRequests).toBe(before + 1);
  });

  it('refuses malformed tokens before fetching any key', async () => {
    const baseUrl = await start();
    for (const token of [await as.mint({}, { typ: 'JWT' }), as.unsigned(), await as.hs256WithPublicKey(), 'a.b.c']) {
      expect((await initialize(baseUrl, token)).status).toBe(401);
    }
    expect(as.jwksRequests).toBe(0);
  });

  it('answers 503 with Retry-After (not 401) while the JWKS is unreachable, then recovers', async () => {
    const baseUrl = await start();
    const token = await as.mint();
    await as.down();

    const down = await initialize(baseUrl, token);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.headers.get('www-authenticate')).toBeNull();
    expect(down.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The access token cannot be checked right now; retry later.',
    });

    await as.up();
    expect((await initialize(baseUrl, token)).status).toBe(200);
  });

  it('answers 503 while the JWKS endpoint fails with 5xx, and keeps serving cached keys', async () => {
    const baseUrl = await start();
    expect((await initialize(baseUrl, await as.mint())).status).toBe(200);
    as.failWith(500);
    // The cached RS256 key still verifies; the EC key was never fetched.
    expect((await initialize(baseUrl, await as.mint())).status).toBe(200);
    const ec = await initialize(baseUrl, await as.mint({}, { alg: 'ES256' }));
    expect(ec.status).toBe(503);
    expect(ec.headers.get('retry-after')).toBe('5');
    as.failWith(undefined);
    expect((await initialize(baseUrl, await as.mint({}, { alg: 'ES256' }))).status).toBe(200);
  });

  it('answers 503 once the per-minute JWKS fetch budget is spent, so random kids cannot flood the issuer', async () => {
    const baseUrl = await start({ jwksRequestsPerMinute: 2 });
    expect((await initialize(baseUrl, await as.mint({}, { unpublishedKey: true, kid: 'r1' }))).status).toBe(401);
    expect((await initialize(baseUrl, await as.mint({}, { unpublishedKey: true, kid: 'r2' }))).status).toBe(401);
    const limited = await initialize(baseUrl, await as.mint({}, { unpublishedKey: true, kid: 'r3' }));
    expect(limited.status).toBe(503);
    expect(as.jwksRequests).toBe(2);
  });

  it('serves the authorization server mirror from its copy while the issuer is down', async () => {
    const baseUrl = await start();
    await as.down();
    const response = await fetch(`${baseUrl}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(as.issuer);
  });
});
