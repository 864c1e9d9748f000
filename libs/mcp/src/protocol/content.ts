import type {
  Annotations,
  AudioContent,
  EmbeddedResource,
  ImageContent,
  ResourceContents,
  ResourceLink,
  TextContent,
} from './mcp.types.js';

/** Helpers for the content blocks of tool results and prompt messages (MCP 2025-11-25 `server/tools`). */

const base64 = (data: string | Uint8Array): string =>
  typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

export const text = (value: string, annotations?: Annotations): TextContent => ({
  type: 'text',
  text: value,
  ...(annotations && { annotations }),
});

/** `data`: bytes, or a string that is already base64. */
export const image = (data: string | Uint8Array, mimeType: string, annotations?: Annotations): ImageContent => ({
  type: 'image',
  data: base64(data),
  mimeType,
  ...(annotations && { annotations }),
});

/** `data`: bytes, or a string that is already base64. */
export const audio = (data: string | Uint8Array, mimeType: string, annotations?: Annotations): AudioContent => ({
  type: 'audio',
  data: base64(data),
  mimeType,
  ...(annotations && { annotations }),
});

export const resourceLink = (link: Omit<ResourceLink, 'type'>): ResourceLink => ({ type: 'resource_link', ...link });

/** An embedded resource: text when `content` is a string, a base64 blob when it is bytes. */
export const embeddedResource = (
  uri: string,
  content: string | Uint8Array,
  mimeType?: string,
  annotations?: Annotations,
): EmbeddedResource => ({
  type: 'resource',
  resource: resourceContents(uri, content, mimeType),
  ...(annotations && { annotations }),
});

export const resourceContents = (uri: string, content: string | Uint8Array, mimeType?: string): ResourceContents =>
  typeof content === 'string'
    ? { uri, ...(mimeType && { mimeType }), text: content }
    : { uri, ...(mimeType && { mimeType }), blob: base64(content) };
