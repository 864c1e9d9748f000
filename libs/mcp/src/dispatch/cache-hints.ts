import type { McpContext } from './mcp-context.js';

/**
 * How long and by whom a 2026-07-28 result may be cached (MCP 2026-07-28
 * `server/utilities/caching`): `ttlMs` is a freshness hint in milliseconds (0: immediately stale);
 * `public` results may be shared across users by clients and gateways, `private` ones stay within
 * one authorization context.
 */
export interface McpCacheHint {
  ttlMs?: number;
  scope?: 'public' | 'private';
}

/** The fields a cacheable 2026-07-28 result carries. */
export interface CacheHints {
  ttlMs: number;
  cacheScope: 'public' | 'private';
}

interface CacheableItem {
  cache?: McpCacheHint;
  scopes?: readonly string[];
  visible?: (ctx: McpContext) => boolean;
}

/** The hints of one item (`resources/read`): its own, else the module's. */
export const itemHints = (item: CacheableItem, defaults: Required<McpCacheHint>): CacheHints => ({
  ttlMs: item.cache?.ttlMs ?? defaults.ttlMs,
  cacheScope: item.cache?.scope ?? defaults.scope,
});

/**
 * The hints of a whole list, the same on every page (`caching`, "Interaction with Pagination"):
 * fresh as long as its least fresh item, and private when any item is, or when the list differs
 * per caller (items with `scopes` or `visible`).
 */
export function listHints(items: readonly CacheableItem[], defaults: Required<McpCacheHint>): CacheHints {
  if (items.length === 0) return { ttlMs: defaults.ttlMs, cacheScope: defaults.scope };
  let ttlMs = Infinity;
  let cacheScope: CacheHints['cacheScope'] = 'public';
  for (const item of items) {
    const hints = itemHints(item, defaults);
    ttlMs = Math.min(ttlMs, hints.ttlMs);
    if (hints.cacheScope === 'private' || item.scopes !== undefined || item.visible !== undefined) cacheScope = 'private';
  }
  return { ttlMs, cacheScope };
}

/** Checks a hint given as an option; throws a message naming `owner` when it is unusable. */
export function checkCacheHint(hint: McpCacheHint | undefined, owner: string): void {
  if (hint === undefined) return;
  if (hint.ttlMs !== undefined && !(Number.isSafeInteger(hint.ttlMs) && hint.ttlMs >= 0)) {
    throw new Error(`${owner}: cache.ttlMs must be a whole number of milliseconds, 0 or more.`);
  }
  if (hint.scope !== undefined && hint.scope !== 'public' && hint.scope !== 'private') {
    throw new Error(`${owner}: cache.scope must be "public" or "private".`);
  }
}
