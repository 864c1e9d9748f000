import { JsonRpcErrorCode, type JsonRpcErrorObject } from './json-rpc.js';
import type { ClientCapabilities } from './mcp.types.js';

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

  static methodNotFound(method: string, detail?: string): McpError {
    return new McpError(JsonRpcErrorCode.MethodNotFound, `Method not found: ${method}${detail ? `; ${detail}` : ''}`);
  }

  /** 2026-07-28 `basic/transports/streamable-http`, "Server Validation". */
  static headerMismatch(message: string): McpError {
    return new McpError(JsonRpcErrorCode.HeaderMismatch, `Header mismatch: ${message}`);
  }

  /** 2026-07-28 `basic/versioning`: names every revision served, so the client can pick one. */
  static unsupportedProtocolVersion(requested: string, supported: readonly string[], hint = ''): McpError {
    return new McpError(
      JsonRpcErrorCode.UnsupportedProtocolVersion,
      `Unsupported protocol version ${JSON.stringify(requested)}; this server supports ${supported.join(', ')}.${hint}`,
      { supported: [...supported], requested },
    );
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
 * A handler asked the client for something (sampling, elicitation, roots) it did not declare.
 * In a 2025 session it becomes a tool error whose text says what is missing; in 2026-07-28 it is
 * answered as the protocol requires, `MissingRequiredClientCapability` (-32021, HTTP 400) with
 * `data.requiredCapabilities` (2026-07-28 `basic/index`, "Per-request protocol fields").
 */
export class McpClientCapabilityError extends McpToolError {
  /** The missing capability as a `ClientCapabilities` object, e.g. `{ sampling: { tools: {} } }`. */
  readonly requiredCapabilities: ClientCapabilities;

  /** `capability` is a dotted path: `sampling`, `sampling.tools`, `elicitation.url`, ... */
  constructor(readonly capability: string) {
    super(`The client did not declare the "${capability}" capability, so the server cannot use it for this request.`);
    this.name = 'McpClientCapabilityError';
    this.requiredCapabilities = capability.split('.').reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), {});
  }

  toMcpError(): McpError {
    return new McpError(JsonRpcErrorCode.MissingRequiredClientCapability, this.message, {
      requiredCapabilities: this.requiredCapabilities,
    });
  }
}

/**
 * A request the server sent to the client (sampling, elicitation, roots) failed: the client answered
 * it with an error (`code` and `data` are the client's), or it ended here first — no answer within
 * the timeout, the request was cancelled, or the server shut down (`code` is `undefined`, so a local
 * failure is never mistaken for the client's). Uncaught in a tool, it becomes a tool error with this
 * message (the tool call itself was valid).
 */
export class McpClientRequestError extends McpToolError {
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'McpClientRequestError';
  }
}
