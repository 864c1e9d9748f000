import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MCP_ENDPOINT_PATH, MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { normalizeEndpointPath, payloadTooLarge } from './http-rules.js';
import { claimBody, readBody } from './request-body.js';

type Next = (error?: unknown) => void;

/**
 * Reads POST bodies of the MCP endpoint before the app's JSON parser does, so that the endpoint
 * applies its own limit (`maxBodyBytes`, 413) and answers malformed JSON with a JSON-RPC parse
 * error, whatever parser limits the rest of the app uses. Nest registers its parsers when the app
 * initializes; this middleware is added as soon as the HTTP adapter exists, hence before them.
 *
 * Installed for Express. With other adapters the endpoint reads the parsed `request.body`.
 */
@Injectable()
export class McpBodyReader {
  private readonly logger = new Logger(McpBodyReader.name);
  private fullPath: string | undefined;

  constructor(
    adapterHost: HttpAdapterHost,
    private readonly config: ApplicationConfig,
    @Inject(MCP_ENDPOINT_PATH) private readonly path: string,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {
    adapterHost.init$.subscribe(() => this.install(adapterHost));
  }

  private install(adapterHost: HttpAdapterHost): void {
    const adapter = adapterHost.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    adapter.use((request: IncomingMessage & { originalUrl?: string }, _response: ServerResponse, next: Next) => {
      if (request.method !== 'POST' || !this.matches(request.originalUrl ?? request.url ?? '')) return next();
      readBody(request, this.options.maxBodyBytes).then(
        (body) => {
          // Handing the error to Express skips the app's parsers (which would read the rest of an
          // oversized body) and lets Nest's exception layer answer it.
          if (body.kind === 'too-large') return next(payloadTooLarge(this.options.maxBodyBytes));
          claimBody(request, body);
          next();
        },
        (error: unknown) => {
          this.logger.debug(`Reading an MCP request body failed: ${String(error)}`);
          next(error);
        },
      );
    });
  }

  private matches(url: string): boolean {
    const path = normalizeEndpointPath(url.split('?')[0] ?? '').toLowerCase();
    return path === this.endpointPath();
  }

  /** The endpoint's path including the global prefix, resolved on first use (the prefix is set late). */
  private endpointPath(): string {
    if (this.fullPath === undefined) {
      const prefix = this.config.getGlobalPrefix();
      const excluded = this.config
        .getGlobalPrefixOptions()
        .exclude?.some((route) => route.pathRegex.test(this.path) || route.pathRegex.test(this.path.slice(1)));
      this.fullPath = normalizeEndpointPath(excluded || !prefix ? this.path : `${prefix}/${this.path}`).toLowerCase();
    }
    return this.fullPath;
  }
}
