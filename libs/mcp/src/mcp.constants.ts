/** Injection token of the resolved module options (`ResolvedMcpOptions`). */
export const MCP_OPTIONS = Symbol('MCP_OPTIONS');

/** Metadata key of `@McpTool()`. */
export const MCP_TOOL_METADATA = 'mcp:tool';

/** Injection token of the configured endpoint path (below the global prefix). */
export const MCP_ENDPOINT_PATH = Symbol('MCP_ENDPOINT_PATH');
