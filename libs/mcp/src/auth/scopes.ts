import type { McpPrincipal } from './mcp-principal.js';

/** Scopes of a JWT: `scope` (space separated, RFC 9068 §2.2.3) or `scp` (list or string). */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  const value = claims.scope ?? claims.scp;
  const list = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
  return [...new Set(list.filter((scope): scope is string => typeof scope === 'string' && scope.length > 0))];
}

/**
 * Granted scopes plus every scope they imply, transitively (`{ admin: ['write'], write: ['read'] }`
 * makes `admin` grant all three).
 */
export function expandScopes(granted: readonly string[], implied: Readonly<Record<string, readonly string[]>>): string[] {
  const result = new Set(granted);
  const queue = [...granted];
  while (queue.length > 0) {
    for (const scope of implied[queue.pop()!] ?? []) {
      if (!result.has(scope)) {
        result.add(scope);
        queue.push(scope);
      }
    }
  }
  return [...result];
}

/** The required scopes the principal lacks (empty when it has them all). */
export function missingScopes(principal: Pick<McpPrincipal, 'scopes'>, required: readonly string[] | undefined): string[] {
  if (!required || required.length === 0) return [];
  const granted = new Set(principal.scopes);
  return required.filter((scope) => !granted.has(scope));
}
