/** JSON-RPC 2.0 envelope types and classification, as MCP uses them (MCP 2025-11-25 `basic/index`). */

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
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** Standard JSON-RPC codes plus the ones MCP defines. */
export enum JsonRpcErrorCode {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  /** Transport-level refusal (bad headers, unknown session, ...), as the official SDKs use it. */
  ConnectionClosed = -32000,
  RequestTimeout = -32001,
  /** Unknown or foreign session (HTTP 404); the official SDK servers answer it with -32001 too. */
  SessionNotFound = -32001,
  /** MCP 2025-11-25 `server/resources`: resource not found. */
  ResourceNotFound = -32002,
  /** MCP 2025-11-25 `client/elicitation`: URL elicitation required. */
  UrlElicitationRequired = -32042,
}

export type ClassifiedMessage =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse }
  | { kind: 'invalid'; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
