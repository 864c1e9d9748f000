import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { ServerCapabilitiesService } from './server-capabilities.service.js';

/**
 * `server/discover` (MCP 2026-07-28 `server/discover`): every revision served (both eras), the
 * capabilities computed from what is registered, the instructions, and the module's caching hints.
 */
@Injectable()
export class DiscoverMethods implements McpMethodGroup {
  readonly modernMethods: Record<string, MethodHandler> = {
    'server/discover': () => ({
      supportedVersions: [...this.options.protocolVersions],
      capabilities: this.capabilities.current(),
      ...(this.options.instructions && { instructions: this.options.instructions }),
      ttlMs: this.options.cache.ttlMs,
      cacheScope: this.options.cache.scope,
    }),
  };

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly capabilities: ServerCapabilitiesService,
  ) {}
}
