import { HttpException } from '@nestjs/common';
import { JsonRpcErrorCode } from '../protocol/json-rpc.js';
import { McpClientCapabilityError, McpError, McpToolError } from '../protocol/mcp.error.js';
import type { CallToolResult } from '../protocol/mcp.types.js';
import type { McpContext } from './mcp-context.js';

export const toolError = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A handler's return value as a `CallToolResult` (see `@McpTool` for the accepted shapes). */
export function toCallToolResult(value: unknown, hasOutputSchema: boolean): CallToolResult {
  if (isRecord(value) && Array.isArray(value.content)) return value as unknown as CallToolResult;
  if (value === undefined || value === null) return { content: [] };
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  const text = JSON.stringify(value);
  if (hasOutputSchema && isRecord(value)) return { content: [{ type: 'text', text }], structuredContent: value };
  return { content: [{ type: 'text', text }] };
}

/**
 * The message a client may see for an error a tool threw: the text of `McpToolError` and Nest
 * `HttpException`s, nothing of other errors (they may hold internals). `undefined` = use a generic text.
 */
export function publicToolErrorMessage(error: unknown): string | undefined {
  if (error instanceof McpToolError) return error.message;
  if (error instanceof HttpException) {
    const response = error.getResponse();
    if (isRecord(response)) {
      const message = response.message;
      if (Array.isArray(message)) return message.join('; ');
      if (typeof message === 'string') return message;
    }
    return error.message;
  }
  return undefined;
}

/**
 * The protocol error a handler's error stands for, if any: an `McpError` itself, and in 2026-07-28
 * a missing client capability, which that revision answers with -32021 rather than a tool error.
 */
export function protocolErrorOf(error: unknown, ctx: McpContext): McpError | undefined {
  if (error instanceof McpError) return error;
  if (error instanceof McpClientCapabilityError && ctx.protocolEra === 'modern') return error.toMcpError();
  return undefined;
}

/**
 * What to answer for an error a resource or prompt handler threw: protocol errors as they are, an
 * `McpToolError` (a failed client request, say) as a JSON-RPC internal error with its message;
 * anything else is passed on (logged and answered generically).
 */
export const handlerError = (error: unknown, ctx: McpContext): unknown =>
  protocolErrorOf(error, ctx) ?? (error instanceof McpToolError ? new McpError(JsonRpcErrorCode.InternalError, error.message) : error);
