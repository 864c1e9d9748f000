/** Protocol revisions this server speaks, newest first (MCP 2025-11-25 `basic/lifecycle`, "Version Negotiation"). */
export const SUPPORTED_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];
export const LATEST_PROTOCOL_VERSION: ProtocolVersion = SUPPORTED_PROTOCOL_VERSIONS[0];

/** Revision assumed when a request carries no `MCP-Protocol-Version` header (`basic/transports`). */
export const DEFAULT_HEADERLESS_PROTOCOL_VERSION: ProtocolVersion = '2025-03-26';

export const isSupportedProtocolVersion = (version: unknown): version is ProtocolVersion =>
  typeof version === 'string' && (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version);

/** The server answers with the client's version when it supports it, otherwise with its latest. */
export const negotiateProtocolVersion = (requested: unknown): ProtocolVersion =>
  isSupportedProtocolVersion(requested) ? requested : LATEST_PROTOCOL_VERSION;

/** Revisions compare lexically because they are ISO dates. */
export const isAtLeast = (version: string, minimum: ProtocolVersion): boolean => version >= minimum;
