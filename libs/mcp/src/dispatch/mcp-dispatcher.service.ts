import { Inject, Injectable, Logger } from '@nestjs/common';
import { isToolListed, missingScopes } from '../auth/scopes.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { JsonRpcRequest } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { CallToolResult, InitializeResult, ServerCapabilities } from '../protocol/mcp.types.js';
import { McpRegistry, type RegisteredTool } from '../registry/mcp-registry.service.js';
import type { McpContext } from './mcp-context.js';
import { isProtocolError, publicToolErrorMessage, toCallToolResult, toolError } from './tool-result.js';

type MethodHandler = (params: Record<string, unknown>, ctx: McpContext) => Promise<object> | object;

/**
 * Routes a request to its method handler. The method table is fixed at construction; nothing is
 * built per request. Handlers know nothing of HTTP or sessions beyond the `McpContext`.
 */
@Injectable()
export class McpDispatcher {
  private readonly logger = new Logger(McpDispatcher.name);
  private readonly methods: ReadonlyMap<string, MethodHandler> = new Map<string, MethodHandler>([
    ['ping', () => ({})],
    [
      'tools/list',
      (_params, ctx) => ({
        tools: this.registry
          .listTools()
          .filter((tool) => isToolListed(tool, ctx.auth, this.options.auth))
          .map((tool) => tool.descriptor),
      }),
    ],
    ['tools/call', (params, ctx) => this.callTool(params, ctx)],
  ]);

  constructor(
    private readonly registry: McpRegistry,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

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

  private capabilities(): ServerCapabilities {
    return { tools: { listChanged: true } };
  }

  private async callTool(params: Record<string, unknown>, ctx: McpContext): Promise<CallToolResult> {
    const { name } = params;
    if (typeof name !== 'string') throw McpError.invalidParams('tools/call needs a "name" string.');
    const tool = this.registry.getTool(name);
    if (!tool) throw McpError.invalidParams(`Unknown tool: ${name}`);
    // The transport answers HTTP 403 before dispatch; this covers every other way in (batches).
    if (missingScopes(ctx.auth, tool.scopes).length > 0) throw McpError.invalidParams(`Tool ${name} needs the scopes: ${tool.scopes!.join(' ')}`);
    // Invalid arguments are a tool execution error the model can correct (MCP 2025-11-25, SEP-1303).
    const args = params.arguments ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return toolError(`Invalid arguments for tool ${name}: "arguments" must be an object.`);
    }
    const input = tool.input ? await tool.input.validate(args) : { ok: true as const, value: args };
    if (!input.ok) return toolError(`Invalid arguments for tool ${name}: ${input.message}`);
    let value: unknown;
    try {
      value = await tool.handler(input.value, ctx);
    } catch (error) {
      // A cancelled request gets no response at all; the transport sees the aborted signal.
      if (ctx.signal.aborted) throw error;
      return this.toolFailure(tool, error);
    }
    return this.checkOutput(tool, toCallToolResult(value, tool.output !== undefined));
  }

  private toolFailure(tool: RegisteredTool, error: unknown): CallToolResult {
    if (isProtocolError(error)) throw error;
    const message = publicToolErrorMessage(error);
    if (message !== undefined) return toolError(message);
    this.logger.error(`Tool ${tool.descriptor.name} (${tool.owner}) failed`, error instanceof Error ? error.stack : String(error));
    return toolError(`Tool ${tool.descriptor.name} failed with an internal error.`);
  }

  private async checkOutput(tool: RegisteredTool, result: CallToolResult): Promise<CallToolResult> {
    if (!tool.output || result.isError) return result;
    if (result.structuredContent === undefined) {
      return toolError(`Tool ${tool.descriptor.name} declares an output schema but returned no structured content.`);
    }
    const output = await tool.output.validate(result.structuredContent);
    if (output.ok) return result;
    this.logger.error(`Tool ${tool.descriptor.name} (${tool.owner}) returned invalid structured content: ${output.message}`);
    return toolError(`Tool ${tool.descriptor.name} returned structured content that does not match its output schema.`);
  }
}
