import { Test } from '@nestjs/testing';
import { AuthConfigurationError, McpModule, type McpAuthOptions } from '@nest-mcp/mcp';
import type { RunningApp } from './support/app.js';
import { AUDIENCE, NotesTools, startAuthApp } from './support/auth-app.js';
import { TestAuthorizationServer, type TestAuthorizationServerOptions } from './support/authorization-server.js';
import { initializeRequest, postMcp } from './support/http.js';
import { parseWwwAuthenticate } from './support/www-authenticate.js';

/** Finding the issuer's keys at bootstrap, and where the discovery documents are served. */
describe('authorization server discovery', () => {
  const fixtures: TestAuthorizationServer[] = [];
  const apps: RunningApp[] = [];

  const fixture = async (options: TestAuthorizationServerOptions = {}) => {
    const as = await TestAuthorizationServer.start({ audience: AUDIENCE, ...options });
    fixtures.push(as);
    return as;
  };
  const app = async (...args: Parameters<typeof startAuthApp>) => {
    const running = await startAuthApp(...args);
    apps.push(running);
    return running;
  };
  /** Compiles (and so bootstraps) a module with these auth options; resolves to the error, if any. */
  const bootstrapError = async (auth: McpAuthOptions): Promise<unknown> => {
    try {
      const moduleRef = await Test.createTestingModule({ imports: [McpModule.forRoot({ name: 't', version: '1', auth })] }).compile();
      await moduleRef.close();
      return undefined;
    } catch (error) {
      return error;
    }
  };
  const initialize = async (baseUrl: string, token: string, path = '/mcp') => {
    const response = await postMcp(`${baseUrl}${path}`, initializeRequest(), { headers: { authorization: `Bearer ${token}` } });
    await response.text();
    return response.status;
  };

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((running) => running.close()));
    await Promise.all(fixtures.splice(0).map((as) => as.close()));
  });

  it('uses OpenID Connect discovery by default', async () => {
    const as = await fixture({ discovery: 'both' });
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } });
    expect(as.metadataRequests).toEqual(['/.well-known/openid-configuration']);
    expect(await initialize(running.baseUrl, await as.mint())).toBe(200);
  });

  it('falls back to RFC 8414 when the issuer has no OpenID configuration', async () => {
    const as = await fixture({ discovery: 'oauth' });
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } });
    expect(as.metadataRequests).toEqual(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']);
    expect(await initialize(running.baseUrl, await as.mint())).toBe(200);
  });

  it("inserts the well-known segment before an issuer's path (RFC 8414 §3.1) with discovery: 'oauth'", async () => {
    const as = await fixture({ discovery: 'oauth', issuerPath: '/tenant1' });
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, discovery: 'oauth' } });
    expect(as.metadataRequests).toEqual(['/.well-known/oauth-authorization-server/tenant1']);
    expect(await initialize(running.baseUrl, await as.mint())).toBe(200);
    const mirror = await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`);
    expect(await mirror.json()).toStrictEqual(as.metadata('oauth'));
  });

  it('appends the OpenID configuration to an issuer with a path', async () => {
    const as = await fixture({ discovery: 'oidc', issuerPath: '/realms/mcp' });
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } });
    expect(as.metadataRequests).toEqual(['/realms/mcp/.well-known/openid-configuration']);
    expect(await initialize(running.baseUrl, await as.mint())).toBe(200);
  });

  it('fails at bootstrap, naming every URL tried, when the issuer publishes no metadata', async () => {
    const as = await fixture({ discovery: 'none' });
    const error = await bootstrapError({ issuer: as.issuer, audience: AUDIENCE });
    expect(error).toBeInstanceOf(AuthConfigurationError);
    expect((error as Error).message).toContain(`${as.issuer}/.well-known/openid-configuration: HTTP 404`);
    expect((error as Error).message).toContain(`${as.issuer}/.well-known/oauth-authorization-server: HTTP 404`);
  });

  it('fails at bootstrap when the metadata has no jwks_uri', async () => {
    const as = await fixture({ metadata: { jwks_uri: undefined } });
    const error = await bootstrapError({ issuer: as.issuer, audience: AUDIENCE });
    expect(error).toBeInstanceOf(AuthConfigurationError);
    expect((error as Error).message).toContain('no jwks_uri');
  });

  it('fails at bootstrap when the metadata names another issuer (RFC 8414 §3.3)', async () => {
    const as = await fixture({ metadata: { issuer: 'https://impostor.example' } });
    const error = await bootstrapError({ issuer: as.issuer, audience: AUDIENCE });
    expect((error as Error).message).toContain('its issuer "https://impostor.example" is not');
  });

  it('fails at bootstrap when the issuer is unreachable', async () => {
    const as = await fixture();
    await as.down();
    const error = await bootstrapError({ issuer: as.issuer, audience: AUDIENCE });
    expect(error).toBeInstanceOf(AuthConfigurationError);
    expect((error as Error).message).toMatch(/openid-configuration: unreachable/);
  });

  it('fails at bootstrap on unusable options', async () => {
    expect(await bootstrapError({ issuer: 'https://id.example' })).toBeInstanceOf(AuthConfigurationError);
    expect(await bootstrapError({ issuer: 'https://id.example', audience: AUDIENCE, algorithms: ['HS256'] })).toBeInstanceOf(
      AuthConfigurationError,
    );
    expect(await bootstrapError({ issuer: 'https://id.example', audience: AUDIENCE, discovery: false })).toBeInstanceOf(
      AuthConfigurationError,
    );
  });

  it('with jwksUri and discovery off, fetches nothing at bootstrap and serves no mirror', async () => {
    const as = await fixture({ discovery: 'none' });
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, jwksUri: as.jwksUri, discovery: false } });
    expect(as.metadataRequests).toEqual([]);
    expect(await initialize(running.baseUrl, await as.mint())).toBe(200);
    expect((await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`)).status).toBe(404);
  });

  it('with jwksUri, discovers the mirror lazily, and answers it 503 while the issuer is down', async () => {
    const as = await fixture();
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, jwksUri: as.jwksUri } });
    expect(as.metadataRequests).toEqual([]);
    await as.down();
    const down = await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    await as.up();
    const up = await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`);
    expect(up.status).toBe(200);
    expect(await up.json()).toStrictEqual(as.metadata('oidc'));
  });

  it('verifies HS256 tokens with an explicit secret and refuses RS256 ones then', async () => {
    const as = await fixture();
    const secret = 'a-long-shared-secret-for-hs256-tests';
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, secret } });
    const { SignJWT } = await import('jose');
    const hs = await new SignJWT(as.claims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode(secret));
    expect(await initialize(running.baseUrl, hs)).toBe(200);
    expect(await initialize(running.baseUrl, await as.mint())).toBe(401);
    expect(as.jwksRequests).toBe(0);
  });

  it('accepts untyped and JWT-typed tokens when requireTokenType is false, but no other type', async () => {
    const as = await fixture();
    const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE, requireTokenType: false } });
    expect(await initialize(running.baseUrl, await as.mint({}, { typ: null }))).toBe(200);
    expect(await initialize(running.baseUrl, await as.mint({}, { typ: 'JWT' }))).toBe(200);
    expect(await initialize(running.baseUrl, await as.mint({}, { typ: 'dpop+jwt' }))).toBe(401);
  });

  describe('where the documents are and what they say', () => {
    it('keeps them at the host root under a global prefix, with the prefixed path in resource and URL', async () => {
      const as = await fixture();
      const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } }, (nest) => nest.setGlobalPrefix('api'));
      const url = `${running.baseUrl}/api/mcp`;
      const challenge = (await postMcp(url, initializeRequest())).headers.get('www-authenticate');
      const metadataUrl = `${running.baseUrl}/.well-known/oauth-protected-resource/api/mcp`;
      expect(parseWwwAuthenticate(challenge).params.resource_metadata).toBe(metadataUrl);
      const document = (await (await fetch(metadataUrl)).json()) as { resource: string };
      expect(document.resource).toBe(url);
      expect(
        ((await (await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource`)).json()) as { resource: string }).resource,
      ).toBe(url);
      expect((await fetch(`${running.baseUrl}/api/.well-known/oauth-protected-resource/api/mcp`)).status).toBe(404);
      expect((await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`)).status).toBe(200);
      expect(await initialize(running.baseUrl, await as.mint(), '/api/mcp')).toBe(200);
    });

    it('leaves the prefix out when the app excludes the endpoint from it', async () => {
      const as = await fixture();
      const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } }, (nest) =>
        nest.setGlobalPrefix('api', { exclude: ['mcp'] }),
      );
      const document = (await (await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string };
      expect(document.resource).toBe(`${running.baseUrl}/mcp`);
      expect(await initialize(running.baseUrl, await as.mint(), '/mcp')).toBe(200);
    });

    it('uses publicUrl (with a base path) for the resource and the challenge, and serves both path forms', async () => {
      const as = await fixture();
      const running = await app({ publicUrl: 'https://mcp.example.com/tools/', auth: { issuer: as.issuer, audience: AUDIENCE } });
      const challenge = (await postMcp(`${running.baseUrl}/mcp`, initializeRequest())).headers.get('www-authenticate');
      expect(parseWwwAuthenticate(challenge).params.resource_metadata).toBe(
        'https://mcp.example.com/.well-known/oauth-protected-resource/tools/mcp',
      );
      for (const path of ['/.well-known/oauth-protected-resource/tools/mcp', '/.well-known/oauth-protected-resource/mcp']) {
        const document = (await (await fetch(`${running.baseUrl}${path}`)).json()) as { resource: string };
        expect(document.resource).toBe('https://mcp.example.com/tools/mcp');
      }
    });

    it('reads X-Forwarded-* and Forwarded only with trustProxy', async () => {
      const as = await fixture();
      const trusting = await app({ trustProxy: true, auth: { issuer: as.issuer, audience: AUDIENCE } });
      const forwarded = async (baseUrl: string, headers: Record<string, string>) =>
        ((await (await fetch(`${baseUrl}/.well-known/oauth-protected-resource/mcp`, { headers })).json()) as { resource: string }).resource;
      expect(await forwarded(trusting.baseUrl, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example, internal.lb' })).toBe(
        'https://public.example/mcp',
      );
      expect(await forwarded(trusting.baseUrl, { forwarded: 'for=1.2.3.4;proto=https;host="mcp.example.org:8443", for=5.6.7.8' })).toBe(
        'https://mcp.example.org:8443/mcp',
      );
      expect(await forwarded(trusting.baseUrl, { 'x-forwarded-host': 'bad host/evil' })).toBe(`${trusting.baseUrl}/mcp`);
      const plain = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } });
      expect(await forwarded(plain.baseUrl, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example' })).toBe(
        `${plain.baseUrl}/mcp`,
      );
    });

    it('serves an endpoint at the root path from the root document, resource without trailing slash', async () => {
      const as = await fixture();
      const running = await app({ auth: { issuer: as.issuer, audience: AUDIENCE } }, undefined, { path: '/' });
      const challenge = (await postMcp(`${running.baseUrl}/`, initializeRequest())).headers.get('www-authenticate');
      expect(parseWwwAuthenticate(challenge).params.resource_metadata).toBe(`${running.baseUrl}/.well-known/oauth-protected-resource`);
      const document = (await (await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource`)).json()) as { resource: string };
      expect(document.resource).toBe(running.baseUrl);
    });

    it('serves nothing and stays open without auth', async () => {
      const running = await app({});
      expect((await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
      expect((await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`)).status).toBe(404);
      const response = await postMcp(`${running.baseUrl}/mcp`, initializeRequest());
      expect(response.status).toBe(200);
      await response.text();
      expect(running.app.get(NotesTools)).toBeDefined();
    });
  });
});
