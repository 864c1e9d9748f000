import { HttpException } from '@nestjs/common';
import { JsonRpcErrorCode } from '../protocol/json-rpc.js';
import { McpError, McpToolError } from '../protocol/mcp.error.js';
import type { CallToolResult } from '../protocol/mcp.types.js';

export const toolError = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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

export const isProtocolError = (error: unknown): error is McpError => error instanceof McpError;

/**
 * What to answer for an error a resource or prompt handler threw: an `McpToolError` (a failed
 * client request, say) keeps its message as a JSON-RPC internal error; anything else is passed on
 * (`McpError` as is, other errors logged and answered generically by the transport).
 */
export const handlerError = (error: unknown): unknown =>
  error instanceof McpToolError ? new McpError(JsonRpcErrorCode.InternalError, error.message) : error;
