import type { ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { McpPrincipal } from './mcp-principal.js';

/**
 * The request as an authenticator sees it: Express's `req` or Fastify's `request`. Both carry
 * `headers`; anything else (socket, raw request) depends on the HTTP adapter.
 */
export interface AuthenticatorRequest {
  headers: IncomingHttpHeaders;
  url?: string;
  [key: string]: unknown;
}

/**
 * Decides who calls the MCP endpoint. `McpModule` guards the endpoint with the authenticator found
 * under the {@link Authenticator} token: the JWT one built from the `auth` options by default
 * (`JwtAuthenticator`), or the one passed as `auth.authenticator` (API keys, opaque tokens checked
 * by introspection, any passport strategy through `PassportAuthenticator`, `DevTokenAuthenticator`
 * for local use).
 *
 * The guard turns what it throws into HTTP answers with a `WWW-Authenticate` challenge, checks
 * `auth.requiredScopes`, puts the principal on `request.user` and binds sessions to
 * (issuer, subject).
 */
export interface Authenticator {
  /**
   * Authenticates one request. Resolves to the caller (`anonymous: false`); rejects with an
   * `McpAuthError` subclass to refuse it: `MissingCredentialsError` (no credentials, 401),
   * `InvalidAuthRequestError` (malformed, 400), `InvalidTokenError` (401),
   * `InsufficientScopeError` (403) or `AuthUnavailableError` (503 + `Retry-After`, when the
   * credentials cannot be checked now). Any other rejection is a server error (500).
   *
   * Called for every request to the endpoint (POST, GET and DELETE), so cache what is costly.
   * `readBearerToken(request)` reads and checks an `Authorization: Bearer` header.
   */
  authenticate(request: AuthenticatorRequest, context: ExecutionContext): Promise<McpPrincipal>;
}

/**
 * Injection token of the endpoint's {@link Authenticator} (the interface and the token share a name,
 * like `ThrottlerStorage` in `@nestjs/throttler`). `null` when the `auth` option is not set.
 */
export const Authenticator = Symbol.for('@nest-mcp/mcp:Authenticator');
