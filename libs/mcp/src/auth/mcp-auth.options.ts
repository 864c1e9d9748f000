import { AuthConfigurationError } from './auth.errors.js';
import type { Authenticator } from './authenticator.interface.js';

/** Signature algorithms accepted for access tokens. `none` never is. */
export type JwtAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'HS256' | 'HS384' | 'HS512';

const ASYMMETRIC_ALGORITHMS = new Set<JwtAlgorithm>(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);
const SYMMETRIC_ALGORITHMS = new Set<JwtAlgorithm>(['HS256', 'HS384', 'HS512']);

/**
 * How the issuer's metadata (and from it `jwks_uri`) is found:
 * - `'oidc'` (default): OpenID Connect `<issuer>/.well-known/openid-configuration`, falling back to
 *   RFC 8414 `<origin>/.well-known/oauth-authorization-server<issuer path>`;
 * - `'oauth'`: the same two documents, RFC 8414 first;
 * - `false`: no discovery; `jwksUri` (or `secret`) is required.
 */
export type McpAuthDiscovery = 'oidc' | 'oauth' | false;

/**
 * `McpModule.forRoot({ auth })`: the MCP endpoint as an OAuth 2.1 resource server (MCP 2025-11-25
 * `basic/authorization`). Every request needs `Authorization: Bearer <access token>`; tokens are
 * JWTs (RFC 9068) checked with passport-jwt against the issuer's JWKS (jwks-rsa) unless an
 * `authenticator` is given.
 */
export interface McpAuthOptions {
  /**
   * Issuer identifier of the authorization server, exactly as in its tokens' `iss` and its metadata
   * (`https://id.example.com`, `https://tenant.auth0.com/`). Advertised in the Protected Resource
   * Metadata as `authorization_servers`. Required unless `authenticator` is given.
   */
  issuer?: string;
  /**
   * Audience(s) this server accepts: a token's `aud` must contain one of them (RFC 8707 resource
   * indicator; usually the public URL of the MCP endpoint). Required for JWT validation.
   */
  audience?: string | string[];
  /** JWKS URL; skips discovery for verification. */
  jwksUri?: string;
  /** Metadata discovery; see {@link McpAuthDiscovery}. Default `'oidc'`. */
  discovery?: McpAuthDiscovery;
  /**
   * Accepted signature algorithms. Default `['RS256', 'ES256']`; with `secret`, `['HS256']`.
   * `HS*` require `secret` and exclude every asymmetric algorithm (no algorithm confusion).
   */
  algorithms?: JwtAlgorithm[];
  /** Shared secret for `HS*` tokens, for authorization servers that sign with one. Prefer JWKS. */
  secret?: string | Buffer;
  /**
   * Scopes every request needs; a valid token without them gets 403 `insufficient_scope`. Also the
   * `scope` hint of the 401 challenge. Default none.
   */
  requiredScopes?: string[];
  /**
   * `scopes_supported` of the Protected Resource Metadata: the scopes a client should ask for.
   * Default `requiredScopes` (omitted when empty).
   */
  scopesSupported?: string[];
  /** Scope hierarchy: a granted scope (key) implies the listed ones (`{ 'notes:admin': ['notes:read'] }`). */
  impliedScopes?: Record<string, string[]>;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Default 60. */
  leewaySeconds?: number;
  /**
   * RFC 9068 §2.1: the JWT header `typ` must be `at+jwt` (or `application/at+jwt`). Set `false` for
   * providers that issue access tokens typed `JWT` or untyped; other types are still refused.
   * Default `true`.
   */
  requireTokenType?: boolean;
  /** `resource_name` of the Protected Resource Metadata. Default the server's `title` or `name`. */
  resourceName?: string;
  /** `resource_documentation` of the Protected Resource Metadata: a URL of human-readable docs. */
  documentation?: string;
  /**
   * Tools whose `scopes` the caller lacks are left out of `tools/list` (calling them still answers
   * 403 `insufficient_scope`, so clients can step up). Set `false` to list every tool. Default `true`.
   */
  hideUnauthorizedTools?: boolean;
  /** How long fetched signing keys are kept, in ms. Default 10 minutes. */
  jwksCacheMaxAgeMs?: number;
  /** Most JWKS fetches per minute (an unknown `kid` triggers one). Default 10. */
  jwksRequestsPerMinute?: number;
  /** Timeout of metadata and JWKS requests, in ms. Default 5 s. */
  httpTimeoutMs?: number;
  /**
   * Replaces JWT validation: API keys, opaque tokens by introspection, any passport strategy
   * (`PassportAuthenticator`), `DevTokenAuthenticator` for local use. The endpoint still answers
   * with challenges and Protected Resource Metadata built from these options.
   */
  authenticator?: Authenticator;
}

/** {@link McpAuthOptions} with defaults applied and checked. */
export interface ResolvedMcpAuthOptions {
  issuer: string | undefined;
  audience: string[];
  jwksUri: string | undefined;
  discovery: McpAuthDiscovery;
  algorithms: JwtAlgorithm[];
  secret: string | Buffer | undefined;
  requiredScopes: string[];
  scopesSupported: string[];
  impliedScopes: Record<string, string[]>;
  leewaySeconds: number;
  requireTokenType: boolean;
  resourceName: string | undefined;
  documentation: string | undefined;
  hideUnauthorizedTools: boolean;
  jwksCacheMaxAgeMs: number;
  jwksRequestsPerMinute: number;
  httpTimeoutMs: number;
  authenticator: Authenticator | undefined;
}

const fail = (message: string): never => {
  throw new AuthConfigurationError(`McpModule auth: ${message}`);
};

function checkUrl(name: string, value: string | undefined): void {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`"${name}" must be an absolute URL, got ${JSON.stringify(value)}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`"${name}" must be an http(s) URL.`);
  if (url.hash || url.search) fail(`"${name}" must not have a query or fragment.`);
}

const scopeList = (name: string, value: unknown): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((scope) => typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    return fail(`"${name}" must be a list of scope tokens (RFC 6749 §3.3: printable ASCII, no space, quote or backslash).`);
  }
  return [...new Set(value as string[])];
};

const positive = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) fail(`"${name}" must be a non-negative number.`);
  return value;
};

/** Applies defaults and rejects unusable combinations with an {@link AuthConfigurationError}. */
export function resolveMcpAuthOptions(options: McpAuthOptions, defaults: { resourceName?: string } = {}): ResolvedMcpAuthOptions {
  if (typeof options !== 'object' || options === null) fail('"auth" must be an object.');
  const custom = options.authenticator;
  if (custom !== undefined && typeof custom?.authenticate !== 'function') {
    fail('"authenticator" must implement Authenticator (an authenticate(request, context) method).');
  }
  checkUrl('issuer', options.issuer);
  checkUrl('jwksUri', options.jwksUri);
  checkUrl('documentation', options.documentation);
  if (!custom && !options.issuer) fail('"issuer" is required (the authorization server that issues the access tokens).');

  const audience = options.audience === undefined ? [] : [options.audience].flat();
  if (audience.some((entry) => typeof entry !== 'string' || entry.length === 0))
    fail('"audience" must be a non-empty string or list of strings.');
  if (!custom && audience.length === 0) {
    fail('"audience" is required: tokens must be issued for this server (RFC 8707), usually its public endpoint URL.');
  }

  const discovery = options.discovery ?? 'oidc';
  if (discovery !== 'oidc' && discovery !== 'oauth' && discovery !== false) fail(`"discovery" must be 'oidc', 'oauth' or false.`);

  const secret = options.secret;
  if (secret !== undefined && !(typeof secret === 'string' ? secret.length > 0 : Buffer.isBuffer(secret) && secret.length > 0)) {
    fail('"secret" must be a non-empty string or Buffer.');
  }
  const algorithms = [...new Set(options.algorithms ?? (secret ? ['HS256'] : ['RS256', 'ES256']))] as JwtAlgorithm[];
  if (algorithms.length === 0) fail('"algorithms" must not be empty.');
  for (const algorithm of algorithms) {
    if (secret ? !SYMMETRIC_ALGORITHMS.has(algorithm) : !ASYMMETRIC_ALGORITHMS.has(algorithm)) {
      fail(
        secret
          ? `with "secret" only HS256, HS384 and HS512 are accepted, not ${JSON.stringify(algorithm)}.`
          : `algorithm ${JSON.stringify(algorithm)} is not accepted; use RS*, PS* or ES* (HS* only with an explicit "secret"; never "none").`,
      );
    }
  }
  if (!custom && !secret && discovery === false && !options.jwksUri) {
    fail("\"jwksUri\" is required when discovery is off (or set discovery to 'oidc' / 'oauth').");
  }

  const requiredScopes = scopeList('requiredScopes', options.requiredScopes);
  const impliedScopes = options.impliedScopes ?? {};
  if (typeof impliedScopes !== 'object' || impliedScopes === null) fail('"impliedScopes" must be an object of scope lists.');
  for (const [scope, implied] of Object.entries(impliedScopes)) scopeList(`impliedScopes.${scope}`, implied);

  return {
    issuer: options.issuer,
    audience,
    jwksUri: options.jwksUri,
    discovery,
    algorithms,
    secret,
    requiredScopes,
    scopesSupported: options.scopesSupported === undefined ? requiredScopes : scopeList('scopesSupported', options.scopesSupported),
    impliedScopes,
    leewaySeconds: positive('leewaySeconds', options.leewaySeconds, 60),
    requireTokenType: options.requireTokenType ?? true,
    resourceName: options.resourceName ?? defaults.resourceName,
    documentation: options.documentation,
    hideUnauthorizedTools: options.hideUnauthorizedTools ?? true,
    jwksCacheMaxAgeMs: positive('jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs, 10 * 60 * 1000),
    jwksRequestsPerMinute: positive('jwksRequestsPerMinute', options.jwksRequestsPerMinute, 10),
    httpTimeoutMs: positive('httpTimeoutMs', options.httpTimeoutMs, 5_000),
    authenticator: custom,
  };
}
