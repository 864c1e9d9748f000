/** Injection token of the resolved module options (`ResolvedMcpOptions`). */
export const MCP_OPTIONS = Symbol.for('@nest-mcp/mcp:MCP_OPTIONS');

/** Metadata key of `@McpTool()`. */
export const MCP_TOOL_METADATA = 'mcp:tool';

/** Injection token of the configured endpoint path (below the global prefix). */
export const MCP_ENDPOINT_PATH = Symbol.for('@nest-mcp/mcp:MCP_ENDPOINT_PATH');

/** Metadata key of `@McpResource()`. */
export const MCP_RESOURCE_METADATA = 'mcp:resource';

/** Metadata key of `@McpResourceTemplate()`. */
export const MCP_RESOURCE_TEMPLATE_METADATA = 'mcp:resource-template';

/** Metadata key of `@McpPrompt()`. */
export const MCP_PROMPT_METADATA = 'mcp:prompt';

/** Metadata key of `@McpCompletion()`. */
export const MCP_COMPLETION_METADATA = 'mcp:completion';
