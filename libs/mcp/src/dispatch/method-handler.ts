import type { McpContext } from './mcp-context.js';

/** Serves one JSON-RPC method: resolves to its `result`, or rejects with an `McpError`. */
export type MethodHandler = (params: Record<string, unknown>, ctx: McpContext) => Promise<object> | object;

/** A feature's share of the method table (tools, resources, prompts, ...). */
export interface McpMethodGroup {
  /** Methods of both eras. */
  readonly methods?: Readonly<Record<string, MethodHandler>>;
  /** Methods 2025 sessions have and 2026-07-28 removed (`ping`, `logging/setLevel`, ...). */
  readonly legacyMethods?: Readonly<Record<string, MethodHandler>>;
  /** Methods new in 2026-07-28 (`server/discover`, `subscriptions/listen`). */
  readonly modernMethods?: Readonly<Record<string, MethodHandler>>;
}
