import { Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { paginate } from '../registry/pagination.js';
import { isListed } from './item-access.js';
import type { McpContext } from './mcp-context.js';

interface ListableItem<D> {
  descriptor: D;
  scopes?: readonly string[];
  visible?: (ctx: McpContext) => boolean;
}

/**
 * One page of a list method (`tools/list`, `resources/list`, ...): the items this caller may see,
 * paginated with opaque cursors, under the result key the method uses.
 */
@Injectable()
export class ItemListing {
  /** With `auth.hideUnauthorizedTools: false`, items the caller lacks scopes for stay listed (so clients can step up). */
  private readonly showUnauthorized: boolean;

  constructor(@Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions) {
    this.showUnauthorized = options.auth?.hideUnauthorizedTools === false;
  }

  list<K extends string, D>(
    key: K,
    items: ReadonlyArray<ListableItem<D>>,
    ctx: McpContext,
    cursor: unknown,
  ): Record<K, D[]> & { nextCursor?: string } {
    const listed = items.filter((item) => isListed(item, ctx, this.showUnauthorized));
    const { page, nextCursor } = paginate(listed, key, cursor, this.options.pageSize);
    return { [key]: page.map((item) => item.descriptor), ...(nextCursor && { nextCursor }) } as Record<K, D[]> & {
      nextCursor?: string;
    };
  }
}
