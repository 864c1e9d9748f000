import { Injectable } from '@nestjs/common';
import { McpError } from '../protocol/mcp.error.js';
import { META_SUBSCRIPTION_ID } from '../protocol/protocol-era.js';
import { ListenHub, type ListenFilter } from '../session/listen-hub.service.js';
import type { McpContext } from './mcp-context.js';
import type { McpMethodGroup, MethodHandler } from './method-handler.js';
import { ServerCapabilitiesService } from './server-capabilities.service.js';

/** Most resource URIs one listen may follow. */
const MAX_RESOURCE_SUBSCRIPTIONS = 1_000;

const FLAGS = ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const;

/**
 * `subscriptions/listen` (MCP 2026-07-28 `basic/patterns/subscriptions`): a long-lived response
 * that first acknowledges the notifications the server will honour, then carries each of them
 * tagged with the listen's id, until the client closes it (a cancellation: no response) or the
 * server ends it (a `complete` result).
 */
@Injectable()
export class SubscriptionsMethods implements McpMethodGroup {
  readonly modernMethods: Record<string, MethodHandler> = {
    'subscriptions/listen': (params, ctx) => this.listen(params, ctx),
  };

  constructor(
    private readonly hub: ListenHub,
    private readonly capabilities: ServerCapabilitiesService,
  ) {}

  private async listen(params: Record<string, unknown>, ctx: McpContext): Promise<object> {
    const honoured = this.honour(readFilter(params.notifications));
    const tag = { [META_SUBSCRIPTION_ID]: ctx.requestId };
    // The acknowledgement is the stream's first message; nothing is delivered before it.
    await ctx.notify({ method: 'notifications/subscriptions/acknowledged', params: { notifications: honoured, _meta: tag } });
    const listen = this.hub.open(honoured, (notification) => {
      const params = notification.params ?? {};
      void ctx.notify({ ...notification, params: { ...params, _meta: { ...(params._meta as object), ...tag } } });
    });
    try {
      await new Promise<void>((resolve) => {
        void listen.ended.then(resolve);
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      listen.release();
    }
    return { _meta: tag };
  }

  /** The subset of `requested` this server can deliver: what its capabilities announce. */
  private honour(requested: ListenFilter): ListenFilter {
    const capabilities = this.capabilities.current();
    const offered = {
      toolsListChanged: capabilities.tools?.listChanged === true,
      promptsListChanged: capabilities.prompts?.listChanged === true,
      resourcesListChanged: capabilities.resources?.listChanged === true,
    };
    const honoured: ListenFilter = {};
    for (const flag of FLAGS) if (requested[flag] === true && offered[flag]) honoured[flag] = true;
    if (requested.resourceSubscriptions && capabilities.resources?.subscribe === true) {
      honoured.resourceSubscriptions = requested.resourceSubscriptions;
    }
    return honoured;
  }
}

function readFilter(value: unknown): ListenFilter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw McpError.invalidParams('subscriptions/listen needs "notifications", an object saying which notifications to receive.');
  }
  const filter = value as Record<string, unknown>;
  for (const flag of FLAGS) {
    if (filter[flag] !== undefined && typeof filter[flag] !== 'boolean')
      throw McpError.invalidParams(`notifications.${flag} must be a boolean.`);
  }
  const uris = filter.resourceSubscriptions;
  if (uris !== undefined) {
    if (!Array.isArray(uris) || uris.some((uri) => typeof uri !== 'string' || uri.length === 0)) {
      throw McpError.invalidParams('notifications.resourceSubscriptions must be a list of resource URIs.');
    }
    if (uris.length > MAX_RESOURCE_SUBSCRIPTIONS) {
      throw McpError.invalidParams(`notifications.resourceSubscriptions may name at most ${MAX_RESOURCE_SUBSCRIPTIONS} URIs.`);
    }
  }
  return filter;
}
