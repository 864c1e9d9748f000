import { Injectable, Logger } from '@nestjs/common';
import { McpError } from '../protocol/mcp.error.js';
import type { CallToolResult, Tool } from '../protocol/mcp.types.js';
import { createTaskResult } from '../tasks/task-result.js';
import { TaskRunner, type CreatedTask, type TaskOutcome } from '../tasks/task-runner.service.js';
import { TASKS_EXTENSION } from '../tasks/task.types.js';
import { McpRegistry, type RegisteredTool } from '../registry/mcp-registry.service.js';
import { hasScopes, isVisible } from './item-access.js';
import { ItemListing } from './item-listing.js';
import type { McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { acceptsTasks, missingTasksExtension } from './tasks.methods.js';
import { protocolErrorOf, publicToolErrorMessage, toCallToolResult, toolError } from './tool-result.js';

/** `tools/list` and `tools/call` (MCP `server/tools`), in both eras. */
@Injectable()
export class ToolsMethods implements McpMethodGroup {
  private readonly logger = new Logger('McpTools');

  readonly methods: Record<string, MethodHandler> = {
    'tools/list': (params, ctx) => this.listing.list('tools', this.registry.listTools(), ctx, params.cursor, this.describe(ctx)),
    'tools/call': (params, ctx) => this.call(params, ctx),
  };

  constructor(
    private readonly registry: McpRegistry,
    private readonly listing: ItemListing,
    private readonly tasks: TaskRunner,
  ) {}

  /** 2025 sessions see whether a tool runs as a task (`execution.taskSupport`); 2026-07-28 has no such field. */
  private describe(ctx: McpContext): ((tool: RegisteredTool) => Tool) | undefined {
    return ctx.protocolEra === 'legacy' ? (tool) => tool.legacyDescriptor : undefined;
  }

  private async call(params: Record<string, unknown>, ctx: McpContext): Promise<object> {
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
    const start = this.taskStart(tool, params, ctx);
    if (start === 'now') return this.asTask(tool, input.value, ctx, (params.task as { ttl?: unknown } | undefined)?.ttl);
    if (start === 'when-asked') return this.offeringTask(tool, input.value, ctx);
    return this.invoke(tool, input.value, ctx);
  }

  /**
   * Whether this call runs as a task: in 2025 when the client asks (`params.task`), in 2026-07-28
   * when the client accepts tasks (then at once, or when the method calls `ctx.continueAsTask()`).
   * A tool that cannot run as the client wants is refused: -32601 in 2025 (`basic/utilities/tasks`,
   * "Tool-Level Negotiation"), -32021 naming the extension in 2026-07-28 (SEP-2663).
   */
  private taskStart(tool: RegisteredTool, params: Record<string, unknown>, ctx: McpContext): 'now' | 'when-asked' | undefined {
    const name = tool.descriptor.name;
    if (ctx.protocolEra === 'legacy') {
      if (params.task === undefined) {
        if (tool.task === 'required')
          throw McpError.methodNotFound('tools/call', `tool ${name} runs only as a task: call it with params.task`);
        return undefined;
      }
      if (tool.task === 'forbidden') throw McpError.methodNotFound('tools/call', `tool ${name} does not run as a task`);
      if (typeof params.task !== 'object' || params.task === null) throw McpError.invalidParams('params.task must be an object.');
      return 'now';
    }
    if (tool.task === 'forbidden') return undefined;
    if (!acceptsTasks(ctx)) {
      if (tool.task === 'required') throw missingTasksExtension(`tool ${name} runs only as a task (${TASKS_EXTENSION}).`);
      return undefined;
    }
    return tool.taskStart === 'handler' ? 'when-asked' : 'now';
  }

  /** Creates the task, runs the tool in it, and answers with the task (`CreateTaskResult`). */
  private async asTask(tool: RegisteredTool, args: unknown, ctx: McpContext, ttl: unknown): Promise<object> {
    const { task, parts } = await this.tasks.create(ctx, ttl);
    this.tasks.run(task, parts.cancellation, this.outcomeOf(this.invoke(tool, args, ctx.detached(parts))));
    return createTaskResult(task);
  }

  /**
   * Runs the tool in the request; if it calls `ctx.continueAsTask()`, the call is answered with a
   * task then and the method goes on as that task.
   */
  private async offeringTask(tool: RegisteredTool, args: unknown, ctx: McpContext): Promise<object> {
    let created!: (made: CreatedTask) => void;
    const taskMade = new Promise<CreatedTask>((resolve) => (created = resolve));
    ctx.offerTask(async () => {
      const made = await this.tasks.create(ctx, undefined);
      ctx.adopt(made.parts);
      created(made);
    });
    const inline = this.invoke(tool, args, ctx);
    const first = await Promise.race([inline.then((result) => ({ result })), taskMade.then((made) => ({ made }))]);
    if ('result' in first) return first.result;
    const { task, parts } = first.made;
    this.tasks.run(task, parts.cancellation, this.outcomeOf(inline));
    return createTaskResult(task);
  }

  /** How a task's call ended: its result, or the protocol error it raised. */
  private outcomeOf(call: Promise<CallToolResult>): Promise<TaskOutcome> {
    return call.then(
      (result) => ({ result: { ...result } }),
      (error: unknown) => {
        if (error instanceof McpError) return { error: error.toJsonRpc() };
        throw error;
      },
    );
  }

  private async invoke(tool: RegisteredTool, args: unknown, ctx: McpContext): Promise<CallToolResult> {
    let value: unknown;
    try {
      value = await tool.handler(args, ctx);
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
