import { SetMetadata } from '@nestjs/common';
import { MCP_RESOURCE_METADATA, MCP_RESOURCE_TEMPLATE_METADATA } from '../mcp.constants.js';
import type { McpContext } from '../dispatch/mcp-context.js';
import type { Annotations, Resource } from '../protocol/mcp.types.js';
import type { McpCompleteFunction, McpItemOptions } from './mcp-item.options.js';

export interface McpResourceOptions extends McpItemOptions {
  /** The resource's URI (`notes://index`, `file:///README.md`). */
  uri: string;
  name: string;
  description?: string;
  /** MIME type of the content; default `text/plain` for strings, `application/octet-stream` for bytes. */
  mimeType?: string;
  size?: number;
  annotations?: Annotations;
}

export interface McpResourceTemplateOptions extends McpItemOptions {
  /** RFC 6570 template, e.g. `notes://{id}`: each `{name}` matches one path segment, a `{+name}` a whole path. */
  uriTemplate: string;
  name: string;
  description?: string;
  mimeType?: string;
  annotations?: Annotations;
  /** Value suggestions for the template's variables (`completion/complete` with `ref/resource`). */
  complete?: Record<string, McpCompleteFunction>;
  /**
   * The resources the template stands for right now (one per database row, say), listed by
   * `resources/list` after the fixed resources; `mimeType` defaults to the template's. Called for
   * each listing with the caller's context, so the list can come from a store every instance shares.
   */
  list?: (ctx: McpContext) => McpListedResource[] | Promise<McpListedResource[]>;
}

/** A resource a template lists: a `Resource` whose MIME type may come from the template. */
export type McpListedResource = Omit<Resource, 'mimeType'> & { mimeType?: string };

/** What a resource method receives first: the URI read and, for templates, the matched variables. */
export interface McpResourceRequest {
  uri: string;
  variables: Record<string, string>;
}

/**
 * Exposes a provider method as a fixed resource. The method receives
 * `(request: McpResourceRequest, ctx)` and returns a string (text), bytes (`Uint8Array`/`Buffer`,
 * sent base64), a `ResourceContents` object or list, or a whole `ReadResourceResult`.
 */
export const McpResource = (options: McpResourceOptions): MethodDecorator => SetMetadata(MCP_RESOURCE_METADATA, options);

/**
 * Exposes a provider method as a family of resources matched by a URI template. The method receives
 * `({ uri, variables }, ctx)` and returns what an `@McpResource` method returns; a Nest
 * `NotFoundException` it throws is answered -32002 "Resource not found", like an unmatched URI.
 *
 * @example
 * ＠McpResourceTemplate({ uriTemplate: 'notes://{id}', name: 'note', mimeType: 'text/markdown' })
 * read({ variables }: McpResourceRequest) { return this.notes.get(variables.id).body; }
 */
export const McpResourceTemplate = (options: McpResourceTemplateOptions): MethodDecorator =>
  SetMetadata(MCP_RESOURCE_TEMPLATE_METADATA, options);
