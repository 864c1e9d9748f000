import { Buffer } from 'node:buffer';
import { McpError } from '../protocol/mcp.error.js';

/**
 * Pages of a list method (MCP 2025-11-25 `server/utilities/pagination`). Cursors are opaque to
 * clients: base64url JSON naming the list and the offset, so a cursor of one list is refused by
 * another (-32602) rather than misread.
 */
export function paginate<T>(items: readonly T[], list: string, cursor: unknown, pageSize: number): { page: T[]; nextCursor?: string } {
  const offset = cursor === undefined ? 0 : decodeCursor(cursor, list);
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < items.length ? { page, nextCursor: encodeCursor(list, next) } : { page };
}

const encodeCursor = (list: string, offset: number): string => Buffer.from(JSON.stringify({ l: list, o: offset })).toString('base64url');

function decodeCursor(cursor: unknown, list: string): number {
  if (typeof cursor === 'string') {
    try {
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { l?: unknown; o?: unknown };
      if (decoded.l === list && Number.isSafeInteger(decoded.o) && (decoded.o as number) >= 0) return decoded.o as number;
    } catch {
      // Falls through to the error below.
    }
  }
  throw McpError.invalidParams(`Invalid cursor for ${list}; use a nextCursor this server returned.`);
}
