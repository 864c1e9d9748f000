import { missingScopes } from '../auth/scopes.js';
import type { McpContext } from './mcp-context.js';

interface GuardedItem {
  scopes?: readonly string[];
  visible?: (ctx: McpContext) => boolean;
}

/** Whether the item exists for this caller at all (its `visible` hook). */
export const isVisible = (item: GuardedItem, ctx: McpContext): boolean => item.visible?.(ctx) ?? true;

/** Whether the caller holds the item's scopes. */
export const hasScopes = (item: GuardedItem, ctx: McpContext): boolean => missingScopes(ctx.auth, item.scopes).length === 0;

/**
 * Whether lists show the item: visible, and either the caller holds its scopes or
 * `showUnauthorized` (so clients learn it exists and can step up).
 */
export const isListed = (item: GuardedItem, ctx: McpContext, showUnauthorized: boolean): boolean =>
  isVisible(item, ctx) && (showUnauthorized || hasScopes(item, ctx));
