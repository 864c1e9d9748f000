import { Inject, Injectable, RequestMethod } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { MCP_ENDPOINT_PATH, MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { AuthConfigurationError } from './auth.errors.js';

/** RFC 9728 §3: the well-known URI suffix of Protected Resource Metadata. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 9728 §2: the Protected Resource Metadata document this server publishes. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
  resource_documentation?: string;
}

/** What the URL helpers read from a request: Express's `req`, Fastify's `request` or Node's own. */
export interface RequestLike {
  headers: IncomingHttpHeaders;
  socket?: { encrypted?: boolean; localAddress?: string; localPort?: number };
  raw?: RequestLike;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const first = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;

/** `proto` and `host` of the first element of an RFC 7239 `Forwarded` header. */
function parseForwarded(value: string | undefined): { proto?: string; host?: string } {
  const result: { proto?: string; host?: string } = {};
  for (const pair of (value?.split(',')[0] ?? '').split(';')) {
    const [name, raw] = pair.split('=', 2).map((part) => part.trim());
    if (!name || raw === undefined) continue;
    const unquoted = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    if (name.toLowerCase() === 'proto') result.proto = unquoted;
    if (name.toLowerCase() === 'host') result.host = unquoted;
  }
  return result;
}

/**
 * The MCP endpoint as an OAuth protected resource (RFC 9728): its canonical URL (`resource`), the
 * URL of its metadata, and the metadata document. The public origin comes from `publicUrl`, else
 * from forwarded headers (`trustProxy`), else from the request; the path is the app's global
 * prefix (unless it excludes the endpoint) plus the endpoint path.
 */
@Injectable()
export class ProtectedResource {
  private readonly publicBase: URL | undefined;
  private cachedPath: string | undefined;

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(MCP_ENDPOINT_PATH) private readonly path: string,
    private readonly appConfig: ApplicationConfig,
  ) {
    if (options.publicUrl !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(options.publicUrl);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
        throw new AuthConfigurationError(
          `McpModule: "publicUrl" must be an http(s) URL without query or fragment, got ${JSON.stringify(options.publicUrl)}.`,
        );
      }
      this.publicBase = url;
    }
  }

  /**
   * Path of the endpoint as routed: global prefix + endpoint path. Read on first use, after the app
   * applied `setGlobalPrefix()`.
   */
  get endpointPath(): string {
    if (this.cachedPath === undefined) {
      const prefix = this.appConfig.getGlobalPrefix().replace(/^\/+|\/+$/g, '');
      const excluded = (this.appConfig.getGlobalPrefixOptions().exclude ?? []).some(
        (route) =>
          (route.requestMethod === RequestMethod.ALL || route.requestMethod === RequestMethod.POST) &&
          (route.pathRegex?.test(this.path) ?? false),
      );
      const joined = [excluded ? '' : prefix, this.path].join('/');
      this.cachedPath = `/${joined.split('/').filter(Boolean).join('/')}`;
    }
    return this.cachedPath;
  }

  /** `scheme://host[:port]` as the client reached the server. */
  origin(request: RequestLike): string {
    if (this.publicBase) return this.publicBase.origin;
    const raw = request.raw ?? request;
    const headers = raw.headers;
    let proto: string | undefined;
    let host: string | undefined;
    if (this.options.trustProxy) {
      const forwarded = parseForwarded(first(headers.forwarded));
      proto = forwarded.proto ?? first(headers['x-forwarded-proto']);
      host = forwarded.host ?? first(headers['x-forwarded-host']);
    }
    proto = proto?.toLowerCase();
    if (proto !== 'http' && proto !== 'https') proto = (raw.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http';
    host ??= first(headers.host);
    if (!host || !HOST.test(host)) {
      const address = raw.socket?.localAddress ?? '127.0.0.1';
      host = `${address.includes(':') ? `[${address}]` : address}:${raw.socket?.localPort ?? 80}`;
    }
    return `${proto}://${host.toLowerCase()}`;
  }

  /** Path a reverse proxy mounts the app under (from `publicUrl`), `''` without one. */
  private get basePath(): string {
    return this.publicBase ? this.publicBase.pathname.replace(/\/+$/, '') : '';
  }

  /** Public path of the endpoint: base path + global prefix + endpoint path (`''` for the root). */
  private get publicPath(): string {
    const path = `${this.basePath}${this.endpointPath}`;
    return path === '/' ? '' : path.replace(/\/+$/, '');
  }

  /** The canonical resource identifier: the endpoint's URL, without trailing slash (MCP "Canonical Server URI"). */
  resourceUrl(request: RequestLike): string {
    return `${this.origin(request)}${this.publicPath}`;
  }

  /** RFC 9728 §3.1: the well-known suffix inserted between the origin and the resource's path. */
  metadataUrl(request: RequestLike): string {
    return `${this.origin(request)}${PROTECTED_RESOURCE_WELL_KNOWN}${this.publicPath}`;
  }

  /** Paths (on this app) the metadata is served at: path-inserted form(s) and the root form. */
  metadataPaths(): string[] {
    const local = this.endpointPath === '/' ? '' : this.endpointPath;
    return [
      ...new Set([
        `${PROTECTED_RESOURCE_WELL_KNOWN}${this.publicPath}`,
        `${PROTECTED_RESOURCE_WELL_KNOWN}${local}`,
        PROTECTED_RESOURCE_WELL_KNOWN,
      ]),
    ];
  }

  /** The Protected Resource Metadata document (RFC 9728 §2), as seen from this request. */
  metadata(request: RequestLike): ProtectedResourceMetadata {
    const auth = this.options.auth;
    return {
      resource: this.resourceUrl(request),
      ...(auth?.issuer && { authorization_servers: [auth.issuer] }),
      ...(auth && auth.scopesSupported.length > 0 && { scopes_supported: [...auth.scopesSupported] }),
      bearer_methods_supported: ['header'],
      ...(auth?.resourceName && { resource_name: auth.resourceName }),
      ...(auth?.documentation && { resource_documentation: auth.documentation }),
    };
  }
}
