import { LOGGING_LEVELS } from '../dispatch/mcp-context.js';
import { McpError } from './mcp.error.js';
import type { ClientCapabilities, Implementation, LoggingLevel } from './mcp.types.js';
import { META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_LOG_LEVEL, META_PROTOCOL_VERSION } from './protocol-era.js';

/** What a 2026-07-28 request says about itself in `params._meta`. */
export interface ModernRequestMeta {
  protocolVersion: string;
  clientCapabilities: ClientCapabilities;
  clientInfo?: Implementation;
  logLevel?: LoggingLevel;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (problem: string) =>
  McpError.invalidParams(
    `${problem} Every 2026-07-28 request carries "${META_PROTOCOL_VERSION}" (a string) and "${META_CLIENT_CAPABILITIES}" (an object) in params._meta.`,
  );

/**
 * Reads the per-request protocol fields (MCP 2026-07-28 `basic/index`, "Per-request protocol
 * fields"): a missing or malformed one makes the request malformed, -32602.
 */
export function readRequestMeta(params: Record<string, unknown> | undefined): ModernRequestMeta {
  const meta = params?._meta;
  if (!isObject(meta)) throw invalid('The request has no params._meta.');
  const protocolVersion = meta[META_PROTOCOL_VERSION];
  if (typeof protocolVersion !== 'string' || protocolVersion.length === 0) throw invalid(`params._meta lacks "${META_PROTOCOL_VERSION}".`);
  const clientCapabilities = meta[META_CLIENT_CAPABILITIES];
  if (!isObject(clientCapabilities)) throw invalid(`params._meta lacks "${META_CLIENT_CAPABILITIES}".`);
  const clientInfo = meta[META_CLIENT_INFO];
  if (
    clientInfo !== undefined &&
    !(isObject(clientInfo) && typeof clientInfo.name === 'string' && typeof clientInfo.version === 'string')
  ) {
    throw McpError.invalidParams(`"${META_CLIENT_INFO}" must be an object with a "name" and a "version" string.`);
  }
  const logLevel = meta[META_LOG_LEVEL];
  if (logLevel !== undefined && !LOGGING_LEVELS.includes(logLevel as LoggingLevel)) {
    throw McpError.invalidParams(`"${META_LOG_LEVEL}" must be one of ${LOGGING_LEVELS.join(', ')}.`);
  }
  return {
    protocolVersion,
    clientCapabilities: clientCapabilities,
    ...(clientInfo !== undefined && { clientInfo: clientInfo as unknown as Implementation }),
    ...(logLevel !== undefined && { logLevel: logLevel as LoggingLevel }),
  };
}
