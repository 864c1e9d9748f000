/** Who is calling: the authenticated principal of a request, or the anonymous one. */
export interface McpPrincipal {
  /** Stable id of the user or client (`sub` of a JWT). */
  subject: string;
  /** Who vouched for `subject` (`iss` of a JWT); sessions are bound to (issuer, subject). */
  issuer?: string;
  /** Granted scopes. */
  scopes: string[];
  /** OAuth client the token was issued to, when known. */
  clientId?: string;
  /** Raw claims or user object the principal was read from. */
  claims: Record<string, unknown>;
  /** True when no authentication is configured or the request carried none. */
  anonymous: boolean;
}

export const ANONYMOUS_PRINCIPAL: McpPrincipal = Object.freeze({
  subject: 'anonymous',
  scopes: [],
  claims: {},
  anonymous: true,
});

/** The key a session stores to recognise its owner: issuer and subject, unambiguously joined. */
export const principalKey = (principal: McpPrincipal): string =>
  principal.anonymous ? 'anonymous' : JSON.stringify([principal.issuer ?? '', principal.subject]);

const stringList = (value: unknown): string[] => {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
};

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Reads the principal from `request.user`, where Passport strategies and most Nest auth guards put
 * it: an {@link McpPrincipal}-shaped object (`subject`), JWT claims (`sub`, `iss`, `scope`/`scp`,
 * `client_id`/`azp`) or any user object with an `id`. No user means anonymous.
 */
export function principalFromUser(user: unknown): McpPrincipal {
  if (typeof user !== 'object' || user === null) return ANONYMOUS_PRINCIPAL;
  const record = user as Record<string, unknown>;
  if (typeof record.subject === 'string') {
    return {
      subject: record.subject,
      issuer: optionalString(record.issuer),
      scopes: stringList(record.scopes),
      clientId: optionalString(record.clientId),
      claims: (record.claims as Record<string, unknown> | undefined) ?? record,
      anonymous: false,
    };
  }
  if (typeof record.sub === 'string') {
    return {
      subject: record.sub,
      issuer: optionalString(record.iss),
      scopes: stringList(record.scope ?? record.scp),
      clientId: optionalString(record.client_id ?? record.azp),
      claims: record,
      anonymous: false,
    };
  }
  if (typeof record.id === 'string' || typeof record.id === 'number') {
    return { subject: String(record.id), scopes: stringList(record.scopes), claims: record, anonymous: false };
  }
  return ANONYMOUS_PRINCIPAL;
}
