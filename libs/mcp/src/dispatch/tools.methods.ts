import { Injectable, Logger } from '@nestjs/common';
import { McpError } from '../protocol/mcp.error.js';
import type { CallToolResult } from '../protocol/mcp.types.js';
import { McpRegistry, type RegisteredTool } from '../registry/mcp-registry.service.js';
import { hasScopes, isVisible } from './item-access.js';
import { ItemListing } from './item-listing.js';
import type { McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { protocolErrorOf, publicToolErrorMessage, toCallToolResult, toolError } from './tool-result.js';

/** `tools/list` and `tools/call` (MCP `server/tools`), in both eras. */
@Injectable()
export class ToolsMethods implements McpMethodGroup {
  private readonly logger = new Logger('McpTools');

  readonly methods: Record<string, MethodHandler> = {
    'tools/list': (params, ctx) => this.listing.list('tools', this.registry.listTools(), ctx, params.cursor),
    'tools/call': (params, ctx) => this.call(params, ctx),
  };

  constructor(
    private readonly registry: McpRegistry,
    private readonly listing: ItemListing,
  ) {}

  private async call(params: Record<string, unknown>, ctx: McpContext): Promise<CallToolResult> {
    const { name } = params;
    if (typeof name !== 'string') throw McpError.invalidParams('tools/call needs a "name" string.');
    const tool = this.registry.getTool(name);
    if (!tool || !isVisible(tool, ctx)) throw McpError.invalidParams(`Unknown tool: ${name}`);
    // The transport answers HTTP 403 before dispatch; this covers every other way in (batches).
    if (!hasScopes(tool, ctx)) throw McpError.invalidParams(`Tool ${name} needs the scopes: ${tool.scopes!.join(' ')}`);
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
      return this.failure(tool, error, ctx);
    }
    return this.checkOutput(tool, toCallToolResult(value, tool.output !== undefined));
  }

  private failure(tool: RegisteredTool, error: unknown, ctx: McpContext): CallToolResult {
    const protocolError = protocolErrorOf(error, ctx);
    if (protocolError) throw protocolError;
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
