/**
 * Names from the OpenTelemetry semantic conventions for MCP (semconv 1.41 `gen-ai/mcp`, since moved
 * to the GenAI semantic conventions repository) and the attributes they reference.
 */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
export const ATTR_NETWORK_PROTOCOL_NAME = 'network.protocol.name';

export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool';
/** `error.type` of a `tools/call` answered with `isError: true`. */
export const ERROR_TYPE_TOOL_ERROR = 'tool_error';

export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration';
export const METRIC_MCP_SERVER_SESSION_DURATION = 'mcp.server.session.duration';
/** The buckets the convention advises for both duration histograms, in seconds. */
export const DURATION_BUCKETS_SECONDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

// Ours, in our own namespace: the convention defines no such metrics, and custom names must not
// use a semantic-convention namespace (semconv `general/naming`). UpDownCounters are not pluralized.
/** 2025 sessions this instance created, less those it saw end. */
export const METRIC_SESSION_ACTIVE = 'nest_mcp.session.active';
/** SSE streams open on this instance (POST answers and GET streams). */
export const METRIC_STREAM_ACTIVE = 'nest_mcp.stream.active';
