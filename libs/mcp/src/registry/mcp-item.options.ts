import type { McpCacheHint } from '../dispatch/cache-hints.js';
import type { McpContext } from '../dispatch/mcp-context.js';
import type { Icon } from '../protocol/mcp.types.js';

/** What tools, resources, templates and prompts share. */
export interface McpItemOptions {
  /** Human-readable name for UIs. */
  title?: string;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  /**
   * OAuth scopes a caller needs (`ctx.auth.scopes`). Without them the item is hidden from lists
   * and using it is refused (HTTP 403 `insufficient_scope` for tools).
   */
  scopes?: string[];
  /**
   * Decides per request whether the item exists for this caller (principal, session, client).
   * A hidden item is left out of lists and answered like an unknown one.
   */
  visible?: (ctx: McpContext) => boolean;
  /**
   * Caching hints for 2026-07-28 clients (`ttlMs`, `cacheScope`), overriding the module's `cache`
   * option: a resource's apply to `resources/read`; a list is as fresh as its least fresh item
   * and private when any item is.
   */
  cache?: McpCacheHint;
}

/**
 * Suggests values for one argument being typed (`completion/complete`, MCP 2025-11-25
 * `server/utilities/completion`). `context` holds the other arguments already filled in.
 * At most 100 values are sent.
 */
export type McpCompleteFunction = (
  value: string,
  context: { arguments: Record<string, string>; ctx: McpContext },
) => string[] | Promise<string[]>;
