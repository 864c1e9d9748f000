import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { JsonRpcRequest } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { InitializeResult, ServerCapabilities } from '../protocol/mcp.types.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { CompletionMethods } from './completion.methods.js';
import { LoggingMethods } from './logging.methods.js';
import type { McpContext } from './mcp-context.js';
import type { MethodHandler } from './method-handler.js';
import { PromptsMethods } from './prompts.methods.js';
import { ResourcesMethods } from './resources.methods.js';
import { ToolsMethods } from './tools.methods.js';

/**
 * Routes a request to its method handler. The method table is built once from the feature groups;
 * nothing is built per request. Handlers know nothing of HTTP or sessions beyond the `McpContext`.
 */
@Injectable()
export class McpDispatcher {
  private readonly methods: ReadonlyMap<string, MethodHandler>;

  constructor(
    private readonly registry: McpRegistry,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    tools: ToolsMethods,
    resources: ResourcesMethods,
    prompts: PromptsMethods,
    completion: CompletionMethods,
    logging: LoggingMethods,
  ) {
    this.methods = new Map(
      Object.entries({
        ping: () => ({}),
        ...tools.methods,
        ...resources.methods,
        ...prompts.methods,
        ...completion.methods,
        ...logging.methods,
      }),
    );
  }

  /** Resolves to the `result` of the response, or rejects with an `McpError`. */
  async dispatch(request: JsonRpcRequest, ctx: McpContext): Promise<object> {
    const handler = this.methods.get(request.method);
    if (!handler) throw McpError.methodNotFound(request.method);
    return handler(request.params ?? {}, ctx);
  }

  initializeResult(protocolVersion: string): InitializeResult {
    const { name, version, title, description, websiteUrl, icons, instructions } = this.options;
    return {
      protocolVersion,
      capabilities: this.capabilities(),
      serverInfo: {
        name,
        version,
        ...(title && { title }),
        ...(description && { description }),
        ...(websiteUrl && { websiteUrl }),
        ...(icons && { icons }),
      },
      ...(instructions && { instructions }),
    };
  }

  /** What the app registered, plus anything forced with the `capabilities` option. */
  private capabilities(): ServerCapabilities {
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
      capabilities[name] = { ...(capabilities[name] as object), ...(value as object) } as never;
    }
    return capabilities;
  }
}
