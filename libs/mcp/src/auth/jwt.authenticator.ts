import type { ExecutionContext, OnModuleDestroy } from '@nestjs/common';
import jwksRsa from 'jwks-rsa';
import passport from 'passport';
import passportJwt from 'passport-jwt';
import { AuthUnavailableError, InvalidTokenError, type McpAuthError } from './auth.errors.js';
import type { AuthenticatorRequest } from './authenticator.interface.js';
import { readBearerToken } from './bearer-token.js';
import type { JwtAlgorithm } from './mcp-auth.options.js';
import type { McpPrincipal } from './mcp-principal.js';
import { PassportAuthenticator } from './passport.authenticator.js';
import { scopesFromClaims } from './scopes.js';

/** Options of {@link JwtAuthenticator}; `McpModule` fills them from the `auth` options. */
export interface JwtAuthenticatorOptions {
  /** Exact `iss` of accepted tokens. */
  issuer: string;
  /** A token's `aud` must contain one of these. */
  audience: string[];
  /** Where the signing keys are (required unless `secret`). */
  jwksUri?: string;
  /** Shared secret for `HS*` algorithms. */
  secret?: string | Buffer;
  algorithms: JwtAlgorithm[];
  leewaySeconds: number;
  /** Require `typ: at+jwt` (RFC 9068 §2.1); when false, untyped and `JWT` tokens pass too. */
  requireTokenType: boolean;
  jwksCacheMaxAgeMs: number;
  jwksRequestsPerMinute: number;
  httpTimeoutMs: number;
}

const AT_JWT_TYPES = new Set(['at+jwt', 'application/at+jwt']);
const RELAXED_TYPES = new Set([...AT_JWT_TYPES, 'jwt', 'application/jwt']);
/** Seconds clients are told to wait when keys cannot be fetched. */
const RETRY_AFTER_SECONDS = 5;
/**
 * How long a verified token is remembered at most (never past its `exp`, nor longer than signing
 * keys are cached, so a retired key stops working as before), and how many are.
 */
const VERIFIED_TOKEN_TTL_MS = 5 * 60_000;
const VERIFIED_TOKEN_LIMIT = 10_000;

let strategyCount = 0;

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment || !/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates bearer JWT access tokens (RFC 9068) with passport-jwt (signature, `alg`, `iss`, `aud`,
 * `exp`, `nbf`, through jsonwebtoken) and jwks-rsa (signing keys by `kid`, cached; an unknown `kid`
 * refetches the JWKS once, rate limited, so key rotation needs no restart). Checked before any key
 * is fetched: three-part JWS, `alg` in the accepted list, `typ` `at+jwt`, no `crit`. Checked after
 * the signature: `exp` present, `sub` present, `iat` not in the future (beyond the leeway).
 *
 * Every failure is a fixed-text `InvalidTokenError` (the library's message is only its `reason`);
 * an unreachable JWKS is `AuthUnavailableError` (503), never a 401.
 */
export class JwtAuthenticator extends PassportAuthenticator implements OnModuleDestroy {
  private readonly tokens = new WeakMap<object, string>();
  /**
   * Tokens verified lately, by their exact text, with the principal and until when it holds: a
   * client sends the same token with every request, and checking its signature is most of the
   * cost of an authenticated request.
   */
  private readonly verified = new Map<string, { principal: McpPrincipal; until: number }>();
  private readonly jwks: jwksRsa.JwksClient | undefined;

  constructor(private readonly config: JwtAuthenticatorOptions) {
    const name = `mcp-jwt-${++strategyCount}`;
    super(name);
    if (!config.secret && !config.jwksUri) throw new TypeError('JwtAuthenticator needs a jwksUri or a secret.');
    this.jwks = config.secret
      ? undefined
      : new jwksRsa.JwksClient({
          jwksUri: config.jwksUri!,
          cache: true,
          cacheMaxAge: config.jwksCacheMaxAgeMs,
          cacheMaxEntries: 20,
          rateLimit: true,
          jwksRequestsPerMinute: config.jwksRequestsPerMinute,
          timeout: config.httpTimeoutMs,
        });
    const strategy = new passportJwt.Strategy(
      {
        jwtFromRequest: (request: object) => this.tokens.get(request) ?? null,
        secretOrKeyProvider: (_request: unknown, rawToken: string, done: (error: unknown, key?: string | Buffer) => void) => {
          this.keyFor(rawToken).then(
            (key) => done(null, key),
            (error: unknown) => done(error),
          );
        },
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        jsonWebTokenOptions: { clockTolerance: config.leewaySeconds },
      },
      (claims: Record<string, unknown>, done: (error: unknown, user?: unknown, info?: unknown) => void) => {
        const problem = this.checkClaims(claims);
        if (problem) done(null, false, problem);
        else done(null, this.principal(claims));
      },
    );
    passport.use(name, strategy);
  }

  override async authenticate(request: AuthenticatorRequest, context: ExecutionContext): Promise<McpPrincipal> {
    const token = readBearerToken(request);
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known.principal;
    this.tokens.set(request, token);
    try {
      const principal = await super.authenticate(request, context);
      this.remember(token, principal, now);
      return principal;
    } finally {
      this.tokens.delete(request);
    }
  }

  private remember(token: string, principal: McpPrincipal, now: number): void {
    const exp = principal.claims.exp;
    if (typeof exp !== 'number') return;
    if (this.verified.size >= VERIFIED_TOKEN_LIMIT) {
      for (const [key, entry] of this.verified) if (entry.until <= now) this.verified.delete(key);
      if (this.verified.size >= VERIFIED_TOKEN_LIMIT) this.verified.clear();
    }
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, this.config.jwksCacheMaxAgeMs);
    this.verified.set(token, { principal, until: Math.min(exp * 1000, now + ttl) });
  }

  /** Unregisters the passport strategy. */
  onModuleDestroy(): void {
    passport.unuse(this.strategy);
  }

  /** The verification key for a token, after the checks that need no key. */
  private async keyFor(rawToken: string): Promise<string | Buffer> {
    const segments = rawToken.split('.');
    const header = segments.length === 3 ? decodeSegment(segments[0]) : undefined;
    if (!header) throw new InvalidTokenError(InvalidTokenError.INVALID, 'not a JWS compact serialization');
    if (typeof header.alg !== 'string' || !(this.config.algorithms as string[]).includes(header.alg)) {
      throw new InvalidTokenError(InvalidTokenError.INVALID, `alg ${JSON.stringify(header.alg)} is not accepted`);
    }
    const type = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
    const typeOk = this.config.requireTokenType
      ? type !== undefined && AT_JWT_TYPES.has(type)
      : type === undefined || RELAXED_TYPES.has(type);
    if (!typeOk) throw new InvalidTokenError(InvalidTokenError.INVALID, `typ ${JSON.stringify(header.typ)} is not an access token type`);
    if (header.crit !== undefined) throw new InvalidTokenError(InvalidTokenError.INVALID, 'crit header parameters are not supported');
    if (this.config.secret) return this.config.secret;

    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    let key: jwksRsa.SigningKey;
    try {
      key = await this.jwks!.getSigningKey(kid);
    } catch (error) {
      if (error instanceof jwksRsa.SigningKeyNotFoundError) {
        throw new InvalidTokenError(InvalidTokenError.INVALID, 'no signing key with this kid in the JWKS');
      }
      // Endpoint down, rate limit reached, or a JWKS without usable keys: cannot tell, retry later.
      const reason = `JWKS ${this.config.jwksUri}: ${error instanceof Error ? error.message : String(error)}`;
      throw new AuthUnavailableError(RETRY_AFTER_SECONDS, reason);
    }
    const keyAlg = (key as { alg?: unknown }).alg;
    if (typeof keyAlg === 'string' && keyAlg !== header.alg) {
      throw new InvalidTokenError(InvalidTokenError.INVALID, `the key ${JSON.stringify(kid)} is for ${keyAlg}, not ${String(header.alg)}`);
    }
    return key.getPublicKey();
  }

  /** RFC 9068 §2.2 checks jsonwebtoken does not make. */
  private checkClaims(claims: Record<string, unknown>): McpAuthError | undefined {
    if (typeof claims.exp !== 'number') return new InvalidTokenError(InvalidTokenError.INVALID, 'no exp claim');
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) return new InvalidTokenError(InvalidTokenError.INVALID, 'no sub claim');
    if (claims.iat !== undefined) {
      if (typeof claims.iat !== 'number') return new InvalidTokenError(InvalidTokenError.INVALID, 'iat is not a number');
      if (claims.iat > Date.now() / 1000 + this.config.leewaySeconds) {
        return new InvalidTokenError(InvalidTokenError.NOT_YET_VALID, 'iat is in the future');
      }
    }
    return undefined;
  }

  private principal(claims: Record<string, unknown>): McpPrincipal {
    const clientId = claims.client_id ?? claims.azp;
    return {
      subject: claims.sub as string,
      issuer: claims.iss as string,
      scopes: scopesFromClaims(claims),
      ...(typeof clientId === 'string' && { clientId }),
      claims,
      anonymous: false,
    };
  }

  protected override failure(info: unknown, request: AuthenticatorRequest): McpAuthError {
    if (info instanceof Error && info.name === 'TokenExpiredError')
      return new InvalidTokenError(InvalidTokenError.EXPIRED, 'exp is in the past');
    if (info instanceof Error && info.name === 'NotBeforeError')
      return new InvalidTokenError(InvalidTokenError.NOT_YET_VALID, 'nbf is in the future');
    return super.failure(info, request);
  }
}
