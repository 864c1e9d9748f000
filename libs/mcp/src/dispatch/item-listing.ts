import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { paginate } from '../registry/pagination.js';
import { listHints, type CacheHints, type McpCacheHint } from './cache-hints.js';
import { isListed } from './item-access.js';
import type { McpContext } from './mcp-context.js';

interface ListableItem<D> {
  descriptor: D;
  scopes?: readonly string[];
  visible?: (ctx: McpContext) => boolean;
  cache?: McpCacheHint;
}

/**
 * One page of a list method (`tools/list`, `resources/list`, ...): the items this caller may see,
 * in the registry's stable order, paginated with opaque cursors, under the result key the method
 * uses (each item as `describe` shows it); for 2026-07-28 requests with the list's caching hints.
 */
@Injectable()
export class ItemListing {
  /** With `auth.hideUnauthorizedTools: false`, items the caller lacks scopes for stay listed (so clients can step up). */
  private readonly showUnauthorized: boolean;

  constructor(@Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions) {
    this.showUnauthorized = options.auth?.hideUnauthorizedTools === false;
  }

  list<K extends string, D, I extends ListableItem<D> = ListableItem<D>>(
    key: K,
    items: ReadonlyArray<I>,
    ctx: McpContext,
    cursor: unknown,
    describe: (item: I) => D = (item) => item.descriptor,
  ): Record<K, D[]> & { nextCursor?: string } & Partial<CacheHints> {
    const listed = items.filter((item) => isListed(item, ctx, this.showUnauthorized));
    const { page, nextCursor } = paginate(listed, key, cursor, this.options.pageSize);
    return {
      [key]: page.map(describe),
      ...(nextCursor && { nextCursor }),
      ...(ctx.protocolEra === 'modern' && listHints(items, this.options.cache)),
    } as Record<K, D[]> & { nextCursor?: string };
  }
}
