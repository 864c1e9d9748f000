import { JsonRpcErrorCode, type JsonRpcErrorObject } from './json-rpc.js';

/**
 * A protocol-level failure answered as a JSON-RPC error response. Throw it from a handler when the
 * request itself is wrong (unknown name, bad params); tool failures should instead be tool results
 * with `isError: true` (MCP 2025-11-25 `server/tools`, "Error Handling").
 */
export class McpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'McpError';
  }

  static invalidParams(message: string, data?: unknown): McpError {
    return new McpError(JsonRpcErrorCode.InvalidParams, message, data);
  }

  static methodNotFound(method: string): McpError {
    return new McpError(JsonRpcErrorCode.MethodNotFound, `Method not found: ${method}`);
  }

  toJsonRpc(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/**
 * Thrown by a tool to report a failure to the model: becomes a `CallToolResult` with `isError: true`
 * whose text is this error's message. Any other error thrown by a tool is reported with a generic
 * message so internal details never reach the client.
 */
export class McpToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpToolError';
  }
}

/**
 * A handler asked the client for something (sampling, elicitation, roots) it did not declare at
 * `initialize`. Uncaught, it becomes a tool error whose text says what is missing.
 */
export class McpClientCapabilityError extends McpToolError {
  constructor(readonly capability: string) {
    super(`The client did not declare the "${capability}" capability, so the server cannot use it in this session.`);
    this.name = 'McpClientCapabilityError';
  }
}

/**
 * A request the server sent to the client (sampling, elicitation, roots) failed: the client answered
 * it with an error, did not answer in time, or the server shut down first. Uncaught in a tool, it
 * becomes a tool error with this message (the tool call itself was valid, so it is not answered
 * with the client's JSON-RPC error). `code` and `data` are those of the failure.
 */
export class McpClientRequestError extends McpToolError {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'McpClientRequestError';
  }
}
