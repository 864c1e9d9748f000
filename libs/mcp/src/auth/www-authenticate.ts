import type { McpAuthError } from './auth.errors.js';

/**
 * An RFC 9110 `quoted-string`: backslash and double quote escaped; control characters (which
 * would end or corrupt the header) replaced by spaces.
 */
export function quoteHeaderValue(value: string): string {
  // Control characters cannot appear in a header value (RFC 9110 section 5.5): they are what is replaced.
  // eslint-disable-next-line no-control-regex
  const safe = value.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ').replace(/[\\"]/g, (char) => `\\${char}`);
  return `"${safe}"`;
}

/** Parameters of a `Bearer` challenge, in the order they are written. */
export interface BearerChallenge {
  error?: string;
  error_description?: string;
  scope?: string;
  resource_metadata?: string;
}

/** `Bearer error="…", error_description="…", scope="…", resource_metadata="…"` (RFC 6750 §3, RFC 9728 §5.1). */
export function formatBearerChallenge(challenge: BearerChallenge): string {
  const params = Object.entries(challenge)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([name, value]) => `${name}=${quoteHeaderValue(value)}`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/**
 * The challenge answering an auth error. `hintScopes` is the `scope` hint of 401s (the scopes to
 * ask for, MCP 2025-11-25 "Scope Selection Strategy"); an error's own scopes (403
 * `insufficient_scope`) win.
 */
export function challengeFor(error: McpAuthError, resourceMetadataUrl: string | undefined, hintScopes: readonly string[]): string {
  const scopes = error.scopes.length > 0 ? error.scopes : error.getStatus() === 401 ? hintScopes : [];
  return formatBearerChallenge({
    ...(error.bearerError && { error: error.bearerError, error_description: error.description }),
    ...(scopes.length > 0 && { scope: scopes.join(' ') }),
    ...(resourceMetadataUrl && { resource_metadata: resourceMetadataUrl }),
  });
}
