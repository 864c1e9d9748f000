import { SetMetadata } from '@nestjs/common';
import { MCP_TOOL_METADATA } from '../mcp.constants.js';
import type { ToolAnnotations } from '../protocol/mcp.types.js';
import type { McpItemOptions } from './mcp-item.options.js';
import type { McpSchema } from './schema.compiler.js';
import type { McpTaskSupport } from '../tasks/task.types.js';

export interface McpToolOptions extends McpItemOptions {
  /** Unique tool name: 1–128 characters of `A-Z a-z 0-9 _ - .` (MCP 2025-11-25, SEP-986). */
  name: string;
  /** What the tool does; models read this to decide when to call it. */
  description: string;
  /**
   * Arguments: a zod 4 object schema (any Standard JSON Schema) or a JSON Schema object with
   * `type: "object"`. Validated before the method runs. Default: no arguments.
   */
  input?: McpSchema;
  /**
   * Shape of `structuredContent`. When set, a returned plain object becomes `structuredContent`
   * (plus its JSON as text) and is validated against this schema.
   */
  output?: McpSchema;
  annotations?: ToolAnnotations;
  /**
   * Whether a call may run as a task, answered at once with a handle the client polls, waits on
   * and cancels from any instance (docs/tasks.md). `optional`: when the client asks for a task
   * (2025-11-25 `params.task`) or accepts tasks (2026-07-28 extension `io.modelcontextprotocol/tasks`);
   * `required`: only as a task, other clients are refused. Default `forbidden`.
   */
  task?: McpTaskSupport;
  /**
   * In 2026-07-28, when the call becomes a task: at once (`call`, the default), or when the method
   * calls `ctx.continueAsTask()` — so that it may first ask the client for input synchronously
   * (multi round-trip requests), then go on in the background.
   */
  taskStart?: 'call' | 'handler';
}

/**
 * Exposes a provider method as an MCP tool. The method receives `(args, ctx: McpContext)` and may
 * return a `CallToolResult`, a string (text content) or an object (see `output`). With `scopes`,
 * calling it without them is answered HTTP 403 `insufficient_scope` naming the scopes (MCP
 * step-up), and the tool is left out of `tools/list` for such callers unless
 * `auth.hideUnauthorizedTools` is false.
 *
 * @example
 * ＠McpTool({ name: 'echo', description: 'Echo a message', input: z.object({ text: z.string() }) })
 * echo({ text }: { text: string }) { return text; }
 */
export const McpTool = (options: McpToolOptions): MethodDecorator => SetMetadata(MCP_TOOL_METADATA, options);
