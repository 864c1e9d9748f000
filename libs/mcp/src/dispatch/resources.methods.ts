import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { JsonRpcErrorCode } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import { McpRegistry, type RegisteredResource, type RegisteredResourceTemplate } from '../registry/mcp-registry.service.js';
import { SessionService } from '../session/session.service.js';
import { itemHints } from './cache-hints.js';
import { hasScopes, isVisible } from './item-access.js';
import { ItemListing } from './item-listing.js';
import type { McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { toReadResourceResult } from './resource-result.js';
import { handlerError } from './tool-result.js';

/** Most resource subscriptions one session may hold. */
const MAX_SUBSCRIPTIONS = 1_000;

/** A matched resource: a fixed one, or a template with the variables of the URI. */
export type ResourceMatch =
  | { kind: 'resource'; item: RegisteredResource; variables: Record<string, string> }
  | { kind: 'template'; item: RegisteredResourceTemplate; variables: Record<string, string> };

/** Finds what serves a URI: a fixed resource first, then the first template that matches. */
export function matchResource(registry: McpRegistry, uri: string): ResourceMatch | undefined {
  const resource = registry.getResource(uri);
  if (resource) return { kind: 'resource', item: resource, variables: {} };
  const match = registry.matchTemplate(uri);
  return match && { kind: 'template', item: match.template, variables: match.variables };
}

const subscriptionsOf = (attributes: Record<string, unknown>): string[] => (attributes.subscriptions as string[] | undefined) ?? [];

/** `resources/*` (MCP `server/resources`) in both eras; 2025 sessions also subscribe here. */
@Injectable()
export class ResourcesMethods implements McpMethodGroup {
  readonly methods: Record<string, MethodHandler> = {
    'resources/list': async (params, ctx) =>
      this.listing.list('resources', [...this.registry.listResources(), ...(await this.listedByTemplates(ctx))], ctx, params.cursor),
    'resources/templates/list': (params, ctx) =>
      this.listing.list('resourceTemplates', this.registry.listResourceTemplates(), ctx, params.cursor),
    'resources/read': (params, ctx) => this.read(params, ctx),
  };

  /** 2026-07-28 replaced these with `subscriptions/listen`. */
  readonly legacyMethods: Record<string, MethodHandler> = {
    'resources/subscribe': async (params, ctx) => {
      const uri = this.uri(params);
      await this.sessions.mutate(ctx.sessionId!, (session) => {
        const current = subscriptionsOf(session.attributes);
        if (current.includes(uri)) return session;
        if (current.length >= MAX_SUBSCRIPTIONS) {
          throw McpError.invalidParams(`A session may hold at most ${MAX_SUBSCRIPTIONS} resource subscriptions.`);
        }
        return { ...session, attributes: { ...session.attributes, subscriptions: [...current, uri] } };
      });
      return {};
    },
    'resources/unsubscribe': async (params, ctx) => {
      const uri = this.uri(params);
      await this.sessions.mutate(ctx.sessionId!, (session) => ({
        ...session,
        attributes: { ...session.attributes, subscriptions: subscriptionsOf(session.attributes).filter((item) => item !== uri) },
      }));
      return {};
    },
  };

  constructor(
    private readonly registry: McpRegistry,
    private readonly sessions: SessionService,
    private readonly listing: ItemListing,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  /** What templates with a `list` function list now, with their template's scopes, visibility and caching. */
  private async listedByTemplates(ctx: McpContext) {
    const templates = this.registry.listResourceTemplates().filter((template) => template.list && isVisible(template, ctx));
    const lists = await Promise.all(
      templates.map(async (template) => {
        const { scopes, visible, cache, descriptor } = template;
        const resources = await template.list!(ctx);
        return resources.map((resource) => ({
          descriptor: { ...(descriptor.mimeType && { mimeType: descriptor.mimeType }), ...resource },
          scopes,
          visible,
          cache,
        }));
      }),
    );
    return lists.flat();
  }

  private uri(params: Record<string, unknown>): string {
    if (typeof params.uri !== 'string' || params.uri.length === 0) throw McpError.invalidParams('A "uri" string is required.');
    return params.uri;
  }

  private async read(params: Record<string, unknown>, ctx: McpContext) {
    const uri = this.uri(params);
    const match = matchResource(this.registry, uri);
    if (!match || !isVisible(match.item, ctx)) throw resourceNotFound(uri, ctx);
    if (!hasScopes(match.item, ctx)) throw McpError.invalidParams(`Resource ${uri} needs the scopes: ${match.item.scopes!.join(' ')}`);
    let value: unknown;
    try {
      value = await match.item.handler({ uri, variables: match.variables }, ctx);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === HttpStatus.NOT_FOUND) throw resourceNotFound(uri, ctx);
      throw handlerError(error, ctx);
    }
    const result = toReadResourceResult(value, uri, match.item.descriptor.mimeType);
    return ctx.protocolEra === 'modern' ? { ...itemHints(match.item, this.options.cache), ...result } : result;
  }
}

/**
 * `server/resources`, "Error Handling": the URI in `data`, with -32002 in 2025 sessions and -32602
 * in 2026-07-28 (which retired -32002, SEP-2164).
 */
const resourceNotFound = (uri: string, ctx: McpContext) =>
  new McpError(
    ctx.protocolEra === 'modern' ? JsonRpcErrorCode.InvalidParams : JsonRpcErrorCode.ResourceNotFound,
    `Resource not found: ${uri}`,
    {
      uri,
    },
  );
