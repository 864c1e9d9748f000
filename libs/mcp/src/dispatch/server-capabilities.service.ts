import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { ServerCapabilities } from '../protocol/mcp.types.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';

/** The capability each 2026-07-28 method needs advertised; a method whose capability is absent is answered -32601. */
const METHOD_CAPABILITIES: Readonly<Record<string, keyof ServerCapabilities>> = {
  'tools/list': 'tools',
  'tools/call': 'tools',
  'resources/list': 'resources',
  'resources/templates/list': 'resources',
  'resources/read': 'resources',
  'prompts/list': 'prompts',
  'prompts/get': 'prompts',
  'completion/complete': 'completions',
};

/** What the server can do, computed from what is registered, for `initialize` and `server/discover`. */
@Injectable()
export class ServerCapabilitiesService {
  constructor(
    private readonly registry: McpRegistry,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  private computed: { basis: readonly unknown[]; capabilities: ServerCapabilities } | undefined;

  /**
   * What the app registered, plus anything forced with the `capabilities` option. Computed again
   * only when the registry changed (its lists are new arrays then), since every 2026-07-28 request
   * checks the capability of its method.
   */
  current(): ServerCapabilities {
    const registry = this.registry;
    const basis = [
      registry.listTools(),
      registry.listResources(),
      registry.listResourceTemplates(),
      registry.listPrompts(),
      registry.hasCompletions,
    ];
    if (this.computed?.basis.every((part, index) => part === basis[index])) return this.computed.capabilities;
    const capabilities = this.compute();
    this.computed = { basis, capabilities };
    return capabilities;
  }

  private compute(): ServerCapabilities {
    const registry = this.registry;
    const hasResources = registry.listResources().length > 0 || registry.listResourceTemplates().length > 0;
    const capabilities: ServerCapabilities = {
      ...(registry.listTools().length > 0 && { tools: { listChanged: true } }),
      ...(hasResources && { resources: { subscribe: true, listChanged: true } }),
      ...(registry.listPrompts().length > 0 && { prompts: { listChanged: true } }),
      ...(registry.hasCompletions && { completions: {} }),
      logging: {},
    };
    // The `capabilities` option adds to each capability rather than replacing it.
    for (const [key, value] of Object.entries(this.options.capabilities ?? {})) {
      const name = key as keyof ServerCapabilities;
      capabilities[name] = { ...(capabilities[name] as object), ...(value as object) };
    }
    return capabilities;
  }

  /** The capability `method` needs that is not advertised now, if any. */
  missingFor(method: string): keyof ServerCapabilities | undefined {
    const needed = METHOD_CAPABILITIES[method];
    return needed !== undefined && this.current()[needed] === undefined ? needed : undefined;
  }
}
