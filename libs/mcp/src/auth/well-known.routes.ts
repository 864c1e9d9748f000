import { HttpStatus, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, type AbstractHttpAdapter } from '@nestjs/core';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { AuthUnavailableError } from './auth.errors.js';
import { AuthDiscoveryError, AuthServerMetadata } from './auth-server.metadata.js';
import { ProtectedResource, type RequestLike } from './protected-resource.js';

/** RFC 8414 §3: where clients of the 2025-03-26 revision look for authorization server metadata. */
export const AUTHORIZATION_SERVER_WELL_KNOWN = '/.well-known/oauth-authorization-server';

/** Paths each HTTP server already serves, so several MCP endpoints in one app register them once. */
const registered = new WeakMap<object, Set<string>>();

/**
 * Serves, when `auth` is set, the discovery documents at the host root whatever the app's global
 * prefix (RFC 9728 §3 and RFC 8414 §3 place them right after the host):
 * - Protected Resource Metadata at `/.well-known/oauth-protected-resource<endpoint path>` and at
 *   `/.well-known/oauth-protected-resource`;
 * - a copy of the authorization server's metadata at `/.well-known/oauth-authorization-server`,
 *   for clients that look for it on the MCP server's host.
 *
 * They are routes of the HTTP adapter, not of a Nest controller: a global prefix cannot move them,
 * and the endpoint's guards, interceptors and filters do not apply (they are public documents).
 * GET answers with `Access-Control-Allow-Origin: *`; OPTIONS answers CORS preflights.
 */
@Injectable()
export class WellKnownRoutes implements OnModuleInit {
  private readonly logger = new Logger('McpAuth');

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly resource: ProtectedResource,
    private readonly authServer: AuthServerMetadata,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!this.options.auth || !adapter) return;
    for (const path of this.resource.metadataPaths()) {
      this.route(adapter, path, (request) => this.resource.metadata(request));
    }
    if (this.authServer.enabled) this.route(adapter, AUTHORIZATION_SERVER_WELL_KNOWN, () => this.authServer.current());
  }

  private route(adapter: AbstractHttpAdapter, path: string, document: (request: RequestLike) => object | Promise<object>): void {
    const instance = adapter.getInstance<object>() ?? adapter;
    const paths = registered.get(instance) ?? new Set<string>();
    registered.set(instance, paths);
    if (paths.has(path)) return;
    paths.add(path);

    adapter.get(path, async (request: RequestLike, response: unknown) => {
      adapter.setHeader(response, 'Access-Control-Allow-Origin', '*');
      try {
        adapter.reply(response, await document(request), HttpStatus.OK);
      } catch (error) {
        this.fail(adapter, response, error);
      }
    });
    adapter.options(path, (request: RequestLike, response: unknown) => {
      const requested = request.headers['access-control-request-headers'];
      adapter.setHeader(response, 'Access-Control-Allow-Origin', '*');
      adapter.setHeader(response, 'Access-Control-Allow-Methods', 'GET, OPTIONS');
      adapter.setHeader(
        response,
        'Access-Control-Allow-Headers',
        typeof requested === 'string' && /^[\w\s,-]*$/.test(requested) ? requested : 'mcp-protocol-version',
      );
      adapter.setHeader(response, 'Access-Control-Max-Age', '86400');
      adapter.reply(response, undefined, HttpStatus.NO_CONTENT);
    });
  }

  private fail(adapter: AbstractHttpAdapter, response: unknown, error: unknown): void {
    if (error instanceof AuthUnavailableError) {
      this.logger.warn(`Cannot serve the authorization server metadata: ${error.reason ?? error.message}`);
      adapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
      adapter.reply(response, error.getResponse(), error.getStatus());
      return;
    }
    if (error instanceof AuthDiscoveryError) {
      this.logger.warn(error.message);
      adapter.reply(
        response,
        { error: 'not_found', error_description: 'The authorization server publishes no metadata.' },
        HttpStatus.NOT_FOUND,
      );
      return;
    }
    this.logger.error('Well-known document failed', error instanceof Error ? error.stack : String(error));
    adapter.reply(response, { error: 'server_error', error_description: 'Internal error.' }, HttpStatus.INTERNAL_SERVER_ERROR);
  }
}
