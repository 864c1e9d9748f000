import { HttpException, HttpStatus } from '@nestjs/common';

/** `error` codes of a Bearer challenge (RFC 6750 §3.1). */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** Body of every auth refusal: an OAuth error object (RFC 6750 §3, RFC 6749 §5.2 shape). */
export interface McpAuthErrorBody {
  error: string;
  error_description: string;
}

/**
 * Why the MCP endpoint refused a request's credentials. The guard turns it into the HTTP answer:
 * its status, a `WWW-Authenticate: Bearer …` challenge (with `resource_metadata` pointing at the
 * Protected Resource Metadata) and an OAuth error body. It is a Nest `HttpException`, so exception
 * filters see it like any other. Throw a subclass from a custom {@link Authenticator}.
 *
 * `description` is sent to the client: keep it short and fixed, never a library's message or
 * anything taken from the token. `reason` is for logs only (debug level) and never sent.
 */
export abstract class McpAuthError extends HttpException {
  /** `error` parameter of the challenge; absent when no credentials were sent (RFC 6750 §3.1). */
  abstract readonly bearerError: BearerErrorCode | undefined;
  /** Scopes named in the challenge's `scope` parameter. */
  readonly scopes: readonly string[];
  /** Sent as `error_description`. */
  readonly description: string;
  /** Detail for server logs; never sent. */
  readonly reason: string | undefined;

  protected constructor(
    status: HttpStatus,
    error: string,
    description: string,
    options: { scopes?: readonly string[]; reason?: string } = {},
  ) {
    super({ error, error_description: description } satisfies McpAuthErrorBody, status);
    this.description = description;
    this.scopes = options.scopes ?? [];
    this.reason = options.reason;
  }
}

/**
 * 401 without an error code: the request carried no credentials the endpoint understands (no
 * `Authorization` header, or another scheme). The challenge names the scopes to ask for.
 */
export class MissingCredentialsError extends McpAuthError {
  readonly bearerError = undefined;
  constructor(description = 'Authentication required: send an OAuth access token as "Authorization: Bearer <token>".') {
    super(HttpStatus.UNAUTHORIZED, 'unauthorized', description);
    this.name = 'MissingCredentialsError';
  }
}

/**
 * 400 `invalid_request`: the credentials are malformed (`Authorization: Bearer` without a valid
 * token, a token in the query string, …).
 */
export class InvalidAuthRequestError extends McpAuthError {
  readonly bearerError = 'invalid_request' as const;
  constructor(description = 'Malformed Authorization header: expected "Bearer <token>".', reason?: string) {
    super(HttpStatus.BAD_REQUEST, 'invalid_request', description, { reason });
    this.name = 'InvalidAuthRequestError';
  }
}

/**
 * 401 `invalid_token`: the token is expired, not yet valid, badly signed, or not meant for this
 * resource. The description is one of a few fixed texts; the precise `reason` is only logged.
 */
export class InvalidTokenError extends McpAuthError {
  static readonly INVALID = 'The access token is invalid.';
  static readonly EXPIRED = 'The access token expired.';
  static readonly NOT_YET_VALID = 'The access token is not valid yet.';

  readonly bearerError = 'invalid_token' as const;
  constructor(description: string = InvalidTokenError.INVALID, reason?: string) {
    super(HttpStatus.UNAUTHORIZED, 'invalid_token', description, { reason });
    this.name = 'InvalidTokenError';
  }
}

/**
 * 403 `insufficient_scope`: the token is valid but lacks scopes. `scopes` lists every scope the
 * operation needs (MCP step-up: the client asks for a token with them and retries).
 */
export class InsufficientScopeError extends McpAuthError {
  readonly bearerError = 'insufficient_scope' as const;
  constructor(scopes: readonly string[], description = 'The access token lacks a scope this request needs.') {
    super(HttpStatus.FORBIDDEN, 'insufficient_scope', description, { scopes });
    this.name = 'InsufficientScopeError';
  }
}

/**
 * 503 with `Retry-After`: the token could not be checked because the authorization server's JWKS
 * or metadata cannot be fetched right now. Never a 401, which would make clients drop a valid token.
 */
export class AuthUnavailableError extends McpAuthError {
  readonly bearerError = undefined;
  constructor(
    readonly retryAfterSeconds = 5,
    reason?: string,
  ) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'temporarily_unavailable', 'The access token cannot be checked right now; retry later.', {
      reason,
    });
    this.name = 'AuthUnavailableError';
  }
}

/**
 * The `auth` options are unusable, or the issuer cannot be discovered. Thrown while the app boots,
 * so a misconfigured server fails fast instead of rejecting every request.
 */
export class AuthConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthConfigurationError';
  }
}
