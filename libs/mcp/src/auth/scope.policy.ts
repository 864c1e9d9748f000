import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { JsonRpcRequest } from '../protocol/json-rpc.js';
import { matchResource } from '../dispatch/resources.methods.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { InsufficientScopeError } from './auth.errors.js';
import { writeAuthChallenge, type HeaderTarget } from './mcp-auth.guard.js';
import type { McpPrincipal } from './mcp-principal.js';
import { ProtectedResource, type RequestLike } from './protected-resource.js';
import { missingScopes } from './scopes.js';

/**
 * Per-operation scopes (MCP 2025-11-25 `basic/authorization`, "Runtime Insufficient Scope
 * Errors"): before a request is dispatched, the transport asks whether the caller has the scopes
 * it needs; when not, the answer is HTTP 403 with `WWW-Authenticate: Bearer
 * error="insufficient_scope", scope="<every scope the operation needs>"`, so the client can get a
 * token with them and retry.
 */
@Injectable()
export class McpScopePolicy {
  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly registry: McpRegistry,
    private readonly resource: ProtectedResource,
  ) {}

  /** Scopes a request needs beyond `auth.requiredScopes` (a scoped tool's, prompt's or resource's), if any. */
  requiredScopes(message: JsonRpcRequest): readonly string[] | undefined {
    const { name, uri } = message.params ?? {};
    switch (message.method) {
      case 'tools/call':
        return typeof name === 'string' ? this.registry.getTool(name)?.scopes : undefined;
      case 'prompts/get':
        return typeof name === 'string' ? this.registry.getPrompt(name)?.scopes : undefined;
      case 'resources/read':
        return typeof uri === 'string' ? matchResource(this.registry, uri)?.item.scopes : undefined;
      default:
        return undefined;
    }
  }

  /**
   * Throws `InsufficientScopeError` (a 403 `HttpException`), after writing its challenge on
   * `response`, when `principal` lacks a scope `message` needs.
   */
  assertAllowed(request: RequestLike, response: HeaderTarget, message: JsonRpcRequest, principal: McpPrincipal): void {
    const needed = this.requiredScopes(message);
    if (missingScopes(principal, needed).length === 0) return;
    const auth = this.options.auth;
    const error = new InsufficientScopeError([...new Set([...(auth?.requiredScopes ?? []), ...needed!])]);
    writeAuthChallenge(error, response, auth ? this.resource.metadataUrl(request) : undefined, []);
    throw error;
  }
}
