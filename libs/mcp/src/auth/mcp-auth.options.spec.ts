import { AuthConfigurationError } from './auth.errors.js';
import { resolveMcpAuthOptions, type McpAuthOptions } from './mcp-auth.options.js';

const base = { issuer: 'https://id.example.com', audience: 'https://mcp.example.com/mcp' };

describe('resolveMcpAuthOptions', () => {
  it('applies the defaults', () => {
    expect(resolveMcpAuthOptions(base, { resourceName: 'notes' })).toEqual({
      issuer: base.issuer,
      audience: [base.audience],
      jwksUri: undefined,
      discovery: 'oidc',
      algorithms: ['RS256', 'ES256'],
      secret: undefined,
      requiredScopes: [],
      scopesSupported: [],
      impliedScopes: {},
      leewaySeconds: 60,
      requireTokenType: true,
      resourceName: 'notes',
      documentation: undefined,
      hideUnauthorizedTools: true,
      jwksCacheMaxAgeMs: 600_000,
      jwksRequestsPerMinute: 10,
      httpTimeoutMs: 5_000,
      authenticator: undefined,
    });
  });

  it('defaults scopes_supported to the required scopes and HS256 with a secret', () => {
    const resolved = resolveMcpAuthOptions({ ...base, requiredScopes: ['a', 'a', 'b'], secret: 's' });
    expect(resolved.scopesSupported).toEqual(['a', 'b']);
    expect(resolved.algorithms).toEqual(['HS256']);
  });

  it.each<[string, McpAuthOptions]>([
    ['no issuer', { audience: base.audience }],
    ['a relative issuer', { ...base, issuer: 'id.example.com' }],
    ['an issuer with a query', { ...base, issuer: 'https://id.example.com/?tenant=1' }],
    ['no audience', { issuer: base.issuer }],
    ['an empty audience', { ...base, audience: [''] }],
    ['alg none', { ...base, algorithms: ['none' as never] }],
    ['HS256 without secret', { ...base, algorithms: ['HS256'] }],
    ['RS256 with a secret', { ...base, secret: 's', algorithms: ['RS256'] }],
    ['no algorithms', { ...base, algorithms: [] }],
    ['discovery off without jwksUri', { ...base, discovery: false }],
    ['an unknown discovery mode', { ...base, discovery: 'saml' as never }],
    ['a scope with a space', { ...base, requiredScopes: ['a b'] }],
    ['a scope with a quote', { ...base, scopesSupported: ['a"b'] }],
    ['a negative leeway', { ...base, leewaySeconds: -1 }],
    ['an authenticator without authenticate()', { authenticator: {} as never }],
  ])('refuses %s', (_label, options) => {
    expect(() => resolveMcpAuthOptions(options)).toThrow(AuthConfigurationError);
  });

  it('needs neither issuer nor audience with a custom authenticator', () => {
    const authenticator = { authenticate: () => Promise.reject(new Error('unused')) };
    expect(resolveMcpAuthOptions({ authenticator }).authenticator).toBe(authenticator);
  });
});
