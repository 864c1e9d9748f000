import type { ExecutionContext } from '@nestjs/common';
import passport from 'passport';
import { TestAuthorizationServer } from '../../../../test/support/authorization-server.js';
import { AuthUnavailableError, InvalidTokenError, McpAuthError } from './auth.errors.js';
import type { AuthenticatorRequest } from './authenticator.interface.js';
import { JwtAuthenticator, type JwtAuthenticatorOptions } from './jwt.authenticator.js';

const AUDIENCE = 'https://mcp.example.test/mcp';

/** The authenticator on its own, with a hand-made HTTP execution context. */
describe('JwtAuthenticator', () => {
  let as: TestAuthorizationServer;
  let authenticator: JwtAuthenticator;

  const options = (): JwtAuthenticatorOptions => ({
    issuer: as.issuer,
    audience: [AUDIENCE],
    jwksUri: as.jwksUri,
    algorithms: ['RS256', 'ES256'],
    leewaySeconds: 60,
    requireTokenType: true,
    jwksCacheMaxAgeMs: 60_000,
    jwksRequestsPerMinute: 10,
    httpTimeoutMs: 2_000,
  });

  const run = (token: string, using: JwtAuthenticator = authenticator) => {
    const request: AuthenticatorRequest = { url: '/mcp', headers: { authorization: `Bearer ${token}` } };
    const context = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
      getType: () => 'http',
    } as unknown as ExecutionContext;
    return using.authenticate(request, context);
  };
  const refusal = async (token: string, using?: JwtAuthenticator): Promise<McpAuthError> => {
    try {
      await run(token, using);
    } catch (error) {
      if (error instanceof McpAuthError) return error;
      throw error;
    }
    throw new Error('the token was accepted');
  };

  beforeAll(async () => {
    as = await TestAuthorizationServer.start({ audience: AUDIENCE });
    authenticator = new JwtAuthenticator(options());
  });
  afterAll(async () => {
    authenticator.onModuleDestroy();
    await as.close();
  });

  it('returns the principal of a valid token', async () => {
    const token = await as.mint({ sub: 'alice', scope: 'a b', client_id: 'cli' });
    expect(await run(token)).toMatchObject({ subject: 'alice', issuer: as.issuer, scopes: ['a', 'b'], clientId: 'cli', anonymous: false });
  });

  it('remembers a verified token only until it expires, and only by its exact text', async () => {
    const strict = new JwtAuthenticator({ ...options(), leewaySeconds: 0 });
    try {
      const token = await as.mint({ sub: 'bob', exp: Math.floor(Date.now() / 1000) + 2 });
      expect(await run(token, strict)).toMatchObject({ subject: 'bob' });
      expect(await run(token, strict)).toMatchObject({ subject: 'bob' });
      // The same claims with another signature: not the remembered token.
      const [header, payload] = token.split('.');
      expect((await refusal(`${header}.${payload}.${'A'.repeat(342)}`, strict)).reason).toMatch(/signature/);

      await new Promise((resolve) => setTimeout(resolve, 2_200));
      expect((await refusal(token, strict)).reason).toMatch(/exp is in the past|expired/);
    } finally {
      strict.onModuleDestroy();
    }
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<string> | string, RegExp]>([
    ['expired', () => as.mint({ exp: now() - 120 }), /exp is in the past/],
    ['not yet valid', () => as.mint({ nbf: now() + 120 }), /nbf is in the future/],
    ['issued in the future', () => as.mint({ iat: now() + 120 }), /iat is in the future/],
    ['wrong issuer', () => as.mint({ iss: 'https://evil.example' }), /jwt issuer invalid/],
    ['wrong audience', () => as.mint({ aud: 'https://other' }), /jwt audience invalid/],
    ['wrong typ', () => as.mint({}, { typ: 'JWT' }), /typ "JWT" is not an access token type/],
    ['no typ', () => as.mint({}, { typ: null }), /typ undefined/],
    ['alg none', () => as.unsigned(), /alg "none" is not accepted/],
    ['HS256 with the public key', () => as.hs256WithPublicKey(), /alg "HS256" is not accepted/],
    ['unknown kid', () => as.mint({}, { unpublishedKey: true, kid: 'nope' }), /no signing key with this kid/],
    ['forged signature under a known kid', () => as.mint({}, { unpublishedKey: true }), /invalid signature/],
    ['no sub', () => as.mint({ sub: undefined }), /no sub claim/],
    ['no exp', () => as.mint({ exp: undefined }), /no exp claim/],
    [
      'crit header',
      async () => {
        const [, payload, signature] = (await as.mint()).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: as.currentKid(), crit: ['exp'] })).toString(
          'base64url',
        );
        return `${header}.${payload}.${signature}`;
      },
      /crit header parameters/,
    ],
    ['not a JWS', () => 'a.b', /not a JWS compact serialization/],
  ])('refuses a token: %s (reason logged, fixed description sent)', async (_label, mint, reason) => {
    const error = await refusal(await mint());
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.reason).toMatch(reason);
    expect([InvalidTokenError.INVALID, InvalidTokenError.EXPIRED, InvalidTokenError.NOT_YET_VALID]).toContain(error.description);
  });

  it('says AuthUnavailableError when the JWKS cannot be fetched', async () => {
    const unreachable = new JwtAuthenticator({ ...options(), jwksUri: 'http://127.0.0.1:1/jwks' });
    try {
      const error = await refusal(await as.mint(), unreachable);
      expect(error).toBeInstanceOf(AuthUnavailableError);
      expect(error.getStatus()).toBe(503);
      expect(error.reason).toContain('http://127.0.0.1:1/jwks');
    } finally {
      unreachable.onModuleDestroy();
    }
  });

  it('registers its passport strategy under a name of its own and removes it on destroy', () => {
    const strategies = (passport as unknown as { _strategies: Record<string, unknown> })._strategies;
    const extra = new JwtAuthenticator(options());
    expect(strategies[extra.strategy]).toBeDefined();
    expect(extra.strategy).not.toBe(authenticator.strategy);
    extra.onModuleDestroy();
    expect(strategies[extra.strategy]).toBeUndefined();
  });
});
