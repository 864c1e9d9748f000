/**
 * Modern revisions: version, client identity and capabilities travel with every request, there are
 * no sessions (MCP 2026-07-28 `basic/versioning`, "Terminology").
 */
export const MODERN_PROTOCOL_VERSIONS = ['2026-07-28'] as const;
/** Legacy revisions: an `initialize` handshake opens a session (MCP 2025-11-25 `basic/lifecycle`). */
export const LEGACY_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
/** Every revision this server speaks, newest first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_PROTOCOL_VERSIONS] as const;

export type ModernProtocolVersion = (typeof MODERN_PROTOCOL_VERSIONS)[number];
export type LegacyProtocolVersion = (typeof LEGACY_PROTOCOL_VERSIONS)[number];
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

export const LATEST_PROTOCOL_VERSION: ProtocolVersion = SUPPORTED_PROTOCOL_VERSIONS[0];

/** Revision assumed when a legacy request carries no `MCP-Protocol-Version` header (2025-11-25 `basic/transports`). */
export const DEFAULT_HEADERLESS_PROTOCOL_VERSION: LegacyProtocolVersion = '2025-03-26';

const includes = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);

export const isSupportedProtocolVersion = (version: unknown): version is ProtocolVersion => includes(SUPPORTED_PROTOCOL_VERSIONS, version);

export const isLegacyProtocolVersion = (version: unknown): version is LegacyProtocolVersion => includes(LEGACY_PROTOCOL_VERSIONS, version);

export const isModernProtocolVersion = (version: unknown): version is ModernProtocolVersion => includes(MODERN_PROTOCOL_VERSIONS, version);

/**
 * The legacy revision a session speaks: the client's when this server serves it, else the newest
 * served legacy revision (2025-11-25 `basic/lifecycle`, "Version Negotiation").
 */
export const negotiateLegacyProtocolVersion = (requested: unknown, served: readonly ProtocolVersion[]): LegacyProtocolVersion => {
  if (isLegacyProtocolVersion(requested) && served.includes(requested)) return requested;
  return served.find(isLegacyProtocolVersion)!;
};

/** Revisions compare lexically because they are ISO dates. */
export const isAtLeast = (version: string, minimum: ProtocolVersion): boolean => version >= minimum;
