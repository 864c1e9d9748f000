import type { McpContext } from './mcp-context.js';

/** Serves one JSON-RPC method: resolves to its `result`, or rejects with an `McpError`. */
export type MethodHandler = (params: Record<string, unknown>, ctx: McpContext) => Promise<object> | object;

/** A feature's share of the method table (tools, resources, prompts, ...). */
export interface McpMethodGroup {
  readonly methods: Readonly<Record<string, MethodHandler>>;
}
