import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { McpNotification } from './mcp-session-events.service.js';
import { NodeBus } from './node-bus.service.js';
import { SessionLimitError } from './session.errors.js';

/** The notifications a `subscriptions/listen` stream opts in to (MCP 2026-07-28 `basic/patterns/subscriptions`). */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** One open listen: where its notifications go, and a promise that settles when the server ends it. */
export interface OpenListen {
  /** Resolves when this instance stops the listen (shutdown): the handler then answers gracefully. */
  readonly ended: Promise<void>;
  /** Stops delivering to the listen; call when it ends for any reason. */
  release(): void;
}

interface Listener {
  filter: ListenFilter;
  deliver(notification: McpNotification): void;
  end(): void;
}

const LIST_CHANGED_FLAGS: Readonly<Record<string, keyof ListenFilter>> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/**
 * The `subscriptions/listen` streams this instance holds, fed by the node bus: a list change or a
 * resource update raised on any instance is broadcast through the SessionHost and delivered here
 * to every listen that asked for its kind, and to no other.
 */
@Injectable()
export class ListenHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ListenHub.name);
  private readonly listeners = new Set<Listener>();
  private readonly subscription = new Subscription();

  constructor(
    private readonly bus: NodeBus,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  onModuleInit(): void {
    this.subscription.add(
      this.bus.on('notify-all').subscribe(({ notification }) => {
        const flag = LIST_CHANGED_FLAGS[notification.method as string];
        if (flag) this.deliver((filter) => filter[flag] === true, notification as unknown as McpNotification);
      }),
    );
    this.subscription.add(
      this.bus.on('resource-updated').subscribe(({ uri }) =>
        this.deliver((filter) => filter.resourceSubscriptions?.includes(uri) === true, {
          method: 'notifications/resources/updated',
          params: { uri },
        }),
      ),
    );
  }

  /** Ends every listen gracefully (the handlers answer with a `complete` result). */
  onModuleDestroy(): void {
    this.subscription.unsubscribe();
    for (const listener of [...this.listeners]) listener.end();
    this.listeners.clear();
  }

  /** Number of listens open on this instance. */
  get size(): number {
    return this.listeners.size;
  }

  /** Refuses a new listen when this instance holds `maxListens` (503 + Retry-After). */
  assertRoom(): void {
    if (this.listeners.size >= this.options.maxListens) {
      throw new SessionLimitError(`This instance holds ${this.options.maxListens} subscriptions/listen streams; try again later.`);
    }
  }

  open(filter: ListenFilter, deliver: (notification: McpNotification) => void): OpenListen {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const listener: Listener = { filter, deliver, end };
    this.listeners.add(listener);
    return { ended, release: () => this.listeners.delete(listener) };
  }

  private deliver(wants: (filter: ListenFilter) => boolean, notification: McpNotification): void {
    for (const listener of this.listeners) {
      if (!wants(listener.filter)) continue;
      try {
        listener.deliver(notification);
      } catch (error) {
        this.logger.warn(`Delivering ${notification.method} to a listen failed: ${String(error)}`);
      }
    }
  }
}
