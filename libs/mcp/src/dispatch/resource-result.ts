import { resourceContents } from '../protocol/content.js';
import type { ReadResourceResult, ResourceContents } from '../protocol/mcp.types.js';

const isContents = (value: unknown): value is ResourceContents =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ResourceContents).uri === 'string' &&
  ('text' in value || 'blob' in value);

/** A resource method's return value as a `ReadResourceResult` (see `@McpResource` for the accepted shapes). */
export function toReadResourceResult(value: unknown, uri: string, mimeType: string | undefined): ReadResourceResult {
  if (typeof value === 'object' && value !== null && Array.isArray((value as ReadResourceResult).contents)) {
    return value as ReadResourceResult;
  }
  if (typeof value === 'string') return { contents: [resourceContents(uri, value, mimeType ?? 'text/plain')] };
  if (value instanceof Uint8Array) return { contents: [resourceContents(uri, value, mimeType ?? 'application/octet-stream')] };
  if (isContents(value)) return { contents: [value] };
  if (Array.isArray(value) && value.every(isContents)) return { contents: value };
  return { contents: [resourceContents(uri, JSON.stringify(value ?? null), mimeType ?? 'application/json')] };
}
