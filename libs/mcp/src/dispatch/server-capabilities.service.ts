import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { ServerCapabilities } from '../protocol/mcp.types.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { TASKS_EXTENSION } from '../tasks/task.types.js';
import type { McpProtocolEra } from './mcp-context.js';

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

  private computed: { basis: readonly unknown[]; capabilities: Record<McpProtocolEra, ServerCapabilities> } | undefined;

  /**
   * What the app registered, plus anything forced with the `capabilities` option, as `era` states
   * it: tasks are a 2025-11-25 capability and a 2026-07-28 extension. Computed again only when the
   * registry changed (its lists are new arrays then), since every 2026-07-28 request checks the
   * capability of its method.
   */
  current(era: McpProtocolEra = 'modern'): ServerCapabilities {
    const registry = this.registry;
    const basis = [
      registry.listTools(),
      registry.listResources(),
      registry.listResourceTemplates(),
      registry.listPrompts(),
      registry.hasCompletions,
    ];
    if (!this.computed?.basis.every((part, index) => part === basis[index])) this.computed = { basis, capabilities: this.compute() };
    return this.computed.capabilities[era];
  }

  private compute(): Record<McpProtocolEra, ServerCapabilities> {
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
    if (!registry.listTools().some((tool) => tool.task !== 'forbidden')) return { legacy: capabilities, modern: capabilities };
    return {
      legacy: { ...capabilities, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      modern: { ...capabilities, extensions: { ...capabilities.extensions, [TASKS_EXTENSION]: {} } },
    };
  }

  /** The capability `method` needs that is not advertised now, if any. */
  missingFor(method: string): keyof ServerCapabilities | undefined {
    const needed = METHOD_CAPABILITIES[method];
    return needed !== undefined && this.current()[needed] === undefined ? needed : undefined;
  }
}
