import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { JsonRpcRequest } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { Implementation, InitializeResult } from '../protocol/mcp.types.js';
import { CompletionMethods } from './completion.methods.js';
import { DiscoverMethods } from './discover.methods.js';
import { LoggingMethods } from './logging.methods.js';
import type { McpContext, McpProtocolEra } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { PromptsMethods } from './prompts.methods.js';
import { ResourcesMethods } from './resources.methods.js';
import { ServerCapabilitiesService } from './server-capabilities.service.js';
import { SubscriptionsMethods } from './subscriptions.methods.js';
import { TasksMethods } from './tasks.methods.js';
import { ToolsMethods } from './tools.methods.js';

/**
 * Routes a request to its method handler. One method table per protocol era is built once from the
 * feature groups; nothing is built per request. Handlers know nothing of HTTP or sessions beyond
 * the `McpContext`.
 */
@Injectable()
export class McpDispatcher {
  private readonly tables: Readonly<Record<McpProtocolEra, ReadonlyMap<string, MethodHandler>>>;
  /** `serverInfo` of `initialize`, and `_meta["io.modelcontextprotocol/serverInfo"]` of every 2026 result. */
  readonly serverInfo: Implementation;

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly capabilities: ServerCapabilitiesService,
    tools: ToolsMethods,
    resources: ResourcesMethods,
    prompts: PromptsMethods,
    completion: CompletionMethods,
    logging: LoggingMethods,
    discover: DiscoverMethods,
    subscriptions: SubscriptionsMethods,
    tasks: TasksMethods,
  ) {
    const groups: McpMethodGroup[] = [
      { legacyMethods: { ping: () => ({}) } },
      tools,
      resources,
      prompts,
      completion,
      logging,
      discover,
      subscriptions,
      tasks,
    ];
    const table = (era: 'legacyMethods' | 'modernMethods') =>
      new Map(groups.flatMap((group) => [...Object.entries(group.methods ?? {}), ...Object.entries(group[era] ?? {})]));
    this.tables = { legacy: table('legacyMethods'), modern: table('modernMethods') };
    const { name, version, title, description, websiteUrl, icons } = options;
    this.serverInfo = {
      name,
      version,
      ...(title && { title }),
      ...(description && { description }),
      ...(websiteUrl && { websiteUrl }),
      ...(icons && { icons }),
    };
  }

  /**
   * Refuses, with -32601, a 2026-07-28 request for a method that revision does not have (removed
   * ones such as `initialize` and `ping` included) or whose capability is not advertised (MCP
   * 2026-07-28 `server/discover`).
   */
  assertModernMethod(method: string): void {
    if (!this.tables.modern.has(method)) {
      const removed = this.tables.legacy.has(method) || method === 'initialize';
      throw McpError.methodNotFound(method, removed ? 'protocol 2026-07-28 removed it (2025 sessions still have it)' : undefined);
    }
    const missing = this.capabilities.missingFor(method);
    if (missing) throw McpError.methodNotFound(method, `this server does not advertise the "${missing}" capability`);
  }

  /** Resolves to the `result` of the response, or rejects with an `McpError`. */
  async dispatch(request: JsonRpcRequest, ctx: McpContext): Promise<object> {
    const handler = this.tables[ctx.protocolEra].get(request.method);
    if (!handler) throw McpError.methodNotFound(request.method);
    return handler(request.params ?? {}, ctx);
  }

  initializeResult(protocolVersion: string): InitializeResult {
    return {
      protocolVersion,
      capabilities: this.capabilities.current('legacy'),
      serverInfo: this.serverInfo,
      ...(this.options.instructions && { instructions: this.options.instructions }),
    };
  }
}
