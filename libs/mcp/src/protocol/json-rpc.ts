/** JSON-RPC 2.0 envelope types and classification, as MCP uses them (MCP 2026-07-28 `basic/index`). */

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: Record<string, unknown>;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  /** `null` only when the request's id could not be read. */
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/**
 * Standard JSON-RPC codes plus the ones MCP defines (MCP 2026-07-28 `basic/index`, "Error Codes":
 * -32000 to -32019 are legacy implementation-defined codes, -32020 to -32099 belong to MCP).
 */
export enum JsonRpcErrorCode {
  ParseError = -32700,
  /** The message, or the HTTP request carrying it, is not one this endpoint accepts. */
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  /** Unknown, expired or foreign session (HTTP 404), answered with the code the official SDKs use. */
  SessionNotFound = -32001,
  /** 2025-11-25 `server/resources`: resource not found (2026-07-28 answers -32602 instead). */
  ResourceNotFound = -32002,
  /** 2026-07-28: an `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` or `Mcp-Param-*` header disagrees with the body. */
  HeaderMismatch = -32020,
  /** 2026-07-28: the request needs a client capability its `_meta` did not declare. */
  MissingRequiredClientCapability = -32021,
  /** The requested protocol revision is not served here; `data` lists the supported ones. */
  UnsupportedProtocolVersion = -32022,
  /** 2025-11-25 `client/elicitation`: URL elicitation required. */
  UrlElicitationRequired = -32042,
}

export type ClassifiedMessage =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse }
  | { kind: 'invalid'; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is JsonRpcId =>
  (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value));

/** Sorts one decoded JSON value into request / notification / response, or says why it is none. */
export function classifyMessage(value: unknown): ClassifiedMessage {
  if (!isObject(value)) return { kind: 'invalid', reason: 'A JSON-RPC message must be a JSON object.' };
  if (value.jsonrpc !== '2.0') return { kind: 'invalid', reason: 'The "jsonrpc" member must be exactly "2.0".' };
  if (value.params !== undefined && !isObject(value.params)) {
    return { kind: 'invalid', reason: 'The "params" member must be an object when present (MCP uses named parameters).' };
  }
  if (typeof value.method === 'string') {
    if (value.method.length === 0) return { kind: 'invalid', reason: 'The "method" member must not be empty.' };
    if (!('id' in value)) return { kind: 'notification', message: value as unknown as JsonRpcNotification };
    if (!isId(value.id)) return { kind: 'invalid', reason: 'A request "id" must be a non-empty string or a number.' };
    return { kind: 'request', message: value as unknown as JsonRpcRequest };
  }
  if ('method' in value) return { kind: 'invalid', reason: 'The "method" member must be a string.' };
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (hasResult === hasError) {
    return { kind: 'invalid', reason: 'A message needs a "method", or exactly one of "result" and "error".' };
  }
  if (hasResult && !isId(value.id)) return { kind: 'invalid', reason: 'A response "id" must be a string or a number.' };
  if (hasError) {
    const error = value.error;
    if (!isObject(error) || typeof error.code !== 'number' || typeof error.message !== 'string') {
      return { kind: 'invalid', reason: 'An error response needs an "error" object with a numeric "code" and a "message".' };
    }
  }
  return { kind: 'response', message: value as unknown as JsonRpcResponse };
}

export const resultResponse = (id: JsonRpcId, result: Record<string, unknown>): JsonRpcResultResponse => ({
  jsonrpc: '2.0',
  id,
  result,
});

export const errorResponse = (id: JsonRpcId | null, error: JsonRpcErrorObject): JsonRpcErrorResponse => ({
  jsonrpc: '2.0',
  id,
  error,
});

/** A message the server sends to a client, before the `jsonrpc` member is added. */
export type OutboundMessage = Omit<JsonRpcRequest, 'jsonrpc'> | Omit<JsonRpcNotification, 'jsonrpc'>;

/**
 * The id a refusal of `value` carries: the request's own when `value` is a well-formed request,
 * else `null` (JSON-RPC 2.0, "Response object": the id of an invalid request cannot be trusted).
 */
export function readRequestId(value: unknown): JsonRpcId | null {
  const message = classifyMessage(value);
  return message.kind === 'request' ? message.message.id : null;
}
