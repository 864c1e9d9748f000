import { Inject, Injectable, Logger, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { AuthUnavailableError, InsufficientScopeError, InvalidTokenError, McpAuthError } from './auth.errors.js';
import { Authenticator, type AuthenticatorRequest } from './authenticator.interface.js';
import type { McpPrincipal } from './mcp-principal.js';
import { ProtectedResource, type RequestLike } from './protected-resource.js';
import { expandScopes, missingScopes } from './scopes.js';
import { challengeFor } from './www-authenticate.js';
import { applyCors } from '../transport/cors.js';
import { nodeRequest, nodeResponse } from '../transport/node-http.js';

/** Express's `res`, Fastify's `reply` or Node's `ServerResponse`: whatever can take a header. */
export type HeaderTarget = { header?: (name: string, value: string) => unknown; setHeader?: (name: string, value: string) => unknown };

export function setResponseHeader(response: HeaderTarget, name: string, value: string): void {
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}

/**
 * Writes the headers of an auth refusal: `WWW-Authenticate: Bearer …` with `resource_metadata`
 * (RFC 9728 §5.1) for 400/401/403, `Retry-After` for 503. The caller then throws the error.
 */
export function writeAuthChallenge(
  error: McpAuthError,
  response: HeaderTarget,
  resourceMetadataUrl: string | undefined,
  hintScopes: readonly string[],
): void {
  if (error instanceof AuthUnavailableError) {
    setResponseHeader(response, 'Retry-After', String(error.retryAfterSeconds));
    return;
  }
  setResponseHeader(response, 'WWW-Authenticate', challengeFor(error, resourceMetadataUrl, hintScopes));
}

/**
 * Guards the MCP endpoint (POST, GET and DELETE) when the `auth` option is set; lets everything
 * through otherwise. Runs the {@link Authenticator}, adds implied scopes, checks
 * `auth.requiredScopes` and puts the principal on `request.user`, where the transport reads it
 * (`resolvePrincipal`). Refusals carry the `WWW-Authenticate` challenge.
 */
@Injectable()
export class McpAuthGuard implements CanActivate {
  private readonly logger = new Logger('McpAuth');

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly resource: ProtectedResource,
    @Optional() @Inject(Authenticator) private readonly authenticator: Authenticator | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const auth = this.options.auth;
    if (!auth || !this.authenticator || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatorRequest & RequestLike & { method?: string; user?: unknown }>();
    // A CORS preflight carries no credentials; every other answer, refusals included, carries CORS headers.
    if (request.method === 'OPTIONS') return true;
    applyCors(nodeRequest(request as never), nodeResponse(http.getResponse()), this.options.allowedOrigins);
    try {
      const principal = await this.authenticator.authenticate(request, context);
      if (!principal || principal.anonymous)
        throw new InvalidTokenError(InvalidTokenError.INVALID, 'the authenticator returned no principal');
      const scopes = expandScopes(principal.scopes, auth.impliedScopes);
      if (missingScopes({ scopes }, auth.requiredScopes).length > 0) throw new InsufficientScopeError(auth.requiredScopes);
      request.user = { ...principal, scopes } satisfies McpPrincipal;
      return true;
    } catch (error) {
      if (!(error instanceof McpAuthError)) throw error;
      if (error instanceof AuthUnavailableError) this.logger.warn(`Cannot check credentials: ${error.reason ?? error.message}`);
      else
        this.logger.debug(
          `Refused ${request.method ?? ''} with ${error.getStatus()}${error.bearerError ? ` ${error.bearerError}` : ''}: ${error.reason ?? error.description}`,
        );
      writeAuthChallenge(error, http.getResponse<HeaderTarget>(), this.resource.metadataUrl(request), auth.requiredScopes);
      throw error;
    }
  }
}
