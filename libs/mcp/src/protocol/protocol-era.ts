import type { McpProtocolEra } from '../dispatch/mcp-context.js';
import { isModernProtocolVersion } from './protocol-version.js';

/** `_meta` keys every 2026-07-28 request carries (MCP 2026-07-28 `basic/index`, "Per-request protocol fields"). */
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The era of one incoming message, decided before anything else looks at it (MCP 2026-07-28
 * `basic/versioning`, "Backward Compatibility"): a message whose `_meta` declares a protocol
 * version, or that comes with a modern `MCP-Protocol-Version` header, is a stateless 2026-07-28
 * request (and is refused with -32602 when its `_meta` is incomplete); everything else, `initialize`
 * and batches included, belongs to a 2025 session.
 */
export function selectEra(message: unknown, protocolVersionHeader: string | undefined): McpProtocolEra {
  if (isObject(message) && isObject(message.params) && isObject(message.params._meta) && META_PROTOCOL_VERSION in message.params._meta) {
    return 'modern';
  }
  return isModernProtocolVersion(protocolVersionHeader) ? 'modern' : 'legacy';
}
