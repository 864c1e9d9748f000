/**
 * The public API of `@nest-mcp/mcp`: everything exported here (and from the `auth`, `testing` and
 * `terminus` subpaths) is supported and follows semver; nothing else is. Grouped by what it serves:
 * the module and its options, auth, handlers, the registry, protocol types, session hosts.
 */
export { McpModule } from './mcp.module.js';
export { LOOPBACK_ORIGINS, type McpModuleOptions, type McpResponseMode } from './mcp.options.js';

export { ANONYMOUS_PRINCIPAL, principalFromUser, type McpPrincipal } from './auth/mcp-principal.js';
export type { JwtAlgorithm, McpAuthDiscovery, McpAuthOptions } from './auth/mcp-auth.options.js';
export { Authenticator, type AuthenticatorRequest } from './auth/authenticator.interface.js';
export {
  AuthConfigurationError,
  AuthUnavailableError,
  InsufficientScopeError,
  InvalidAuthRequestError,
  InvalidTokenError,
  McpAuthError,
  MissingCredentialsError,
  type BearerErrorCode,
  type McpAuthErrorBody,
} from './auth/auth.errors.js';
export { AuthDiscoveryError } from './auth/auth-server.metadata.js';
export { readBearerToken } from './auth/bearer-token.js';
export { DevTokenAuthenticator, type DevTokenAuthenticatorOptions, type DevTokenIdentity } from './auth/dev-token.authenticator.js';
export type { ProtectedResourceMetadata } from './auth/protected-resource.js';

export {
  LOGGING_LEVELS,
  McpContext,
  type ClientInputOptions,
  type ElicitFormParams,
  type ElicitUrlParams,
  type McpElicitResult,
  type McpInputOptions,
  type McpInputRequest,
  type McpInputResult,
  type McpProtocolEra,
  type ProgressToken,
} from './dispatch/mcp-context.js';
export type { McpCacheHint } from './dispatch/cache-hints.js';
export { RequestAbortedError } from './dispatch/in-flight-requests.service.js';

export { McpTool, type McpToolOptions } from './registry/mcp-tool.decorator.js';
export {
  McpResource,
  McpResourceTemplate,
  type McpListedResource,
  type McpResourceOptions,
  type McpResourceRequest,
  type McpResourceTemplateOptions,
} from './registry/mcp-resource.decorator.js';
export {
  McpCompletion,
  McpPrompt,
  type McpCompletionTarget,
  type McpPromptArgument,
  type McpPromptOptions,
} from './registry/mcp-prompt.decorator.js';
export type { McpCompleteFunction, McpItemOptions } from './registry/mcp-item.options.js';
export {
  McpRegistry,
  McpRegistrationError,
  type McpListKind,
  type McpPromptDefinition,
  type McpResourceDefinition,
  type McpResourceTemplateDefinition,
  type McpToolDefinition,
  type RegisteredPrompt,
  type RegisteredResource,
  type RegisteredResourceTemplate,
  type RegisteredTool,
} from './registry/mcp-registry.service.js';
export type { McpSchema, StandardJsonSchema } from './registry/schema.compiler.js';

export { McpClientCapabilityError, McpClientRequestError, McpError, McpToolError } from './protocol/mcp.error.js';
export { audio, embeddedResource, image, resourceContents, resourceLink, text } from './protocol/content.js';
export {
  JsonRpcErrorCode,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type OutboundMessage,
} from './protocol/json-rpc.js';
export {
  LATEST_PROTOCOL_VERSION,
  LEGACY_PROTOCOL_VERSIONS,
  MODERN_PROTOCOL_VERSIONS,
  SUPPORTED_PROTOCOL_VERSIONS,
  type LegacyProtocolVersion,
  type ModernProtocolVersion,
  type ProtocolVersion,
} from './protocol/protocol-version.js';
export type * from './protocol/mcp.types.js';

export {
  SessionHost,
  type HostConnection,
  type NodeMessage,
  type NodeMessageHandler,
  type ListeningSessions,
  type NodeLeases,
  type NodeMessaging,
  type PrincipalSession,
  type SessionEvent,
  type SessionMetadata,
  type SessionStore,
  type SessionValues,
  type SingleUseClaims,
  type StoredTask,
  type StreamInfo,
  type StreamLogStore,
  type StreamOwner,
  type TaskStore,
} from './session/session-host.interface.js';
export { MemorySessionHost, type MemorySessionHostOptions } from './session/memory-session-host.js';
export { byCreation, parseTaskCursor, taskCursor } from './session/task-pages.js';
export type { McpTasksOptions } from './tasks/mcp-tasks.options.js';
export { TASKS_EXTENSION, type McpTaskSupport } from './tasks/task.types.js';
export {
  ReplayUnavailableError,
  SessionExistsError,
  SessionHostUnavailableError,
  SessionLimitError,
  SessionValueLimitError,
  SessionsPerPrincipalError,
  TaskLimitError,
} from './session/session.errors.js';
export { McpSessions, type McpPrincipalRef, type McpSessionInfo } from './session/mcp-sessions.service.js';
export { McpStdio, StderrLogger, type McpStdioOptions } from './mcp-stdio.js';
export { McpFsResourcesModule } from './fs/mcp-fs-resources.module.js';
export type { McpFsResourcesOptions } from './fs/mcp-fs-resources.options.js';
export {
  McpSessionEvents,
  type McpNotification,
  type McpSessionEvent,
  type McpSessionEventType,
} from './session/mcp-session-events.service.js';

export { McpHttpException } from './transport/http-rules.js';
export { McpReadiness } from './lifecycle/mcp-readiness.service.js';
