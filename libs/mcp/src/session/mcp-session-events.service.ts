import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Subject, Subscription, type Observable } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { JsonRpcNotification, OutboundMessage } from '../protocol/json-rpc.js';
import { STANDALONE_STREAM_ID } from './event-id.js';
import { NodeBus } from './node-bus.service.js';
import { SessionHost, type SessionMetadata } from './session-host.interface.js';

export type McpSessionEventType = 'created' | 'initialized' | 'closed' | 'expired';

export interface McpSessionEvent {
  type: McpSessionEventType;
  sessionId: string;
  /** The session as stored, for `created` and `initialized`; as it was last read, for `closed`. */
  session?: SessionMetadata;
}

/** A notification as a handler or app code sends it: the JSON-RPC envelope is added for you. */
export type McpNotification = Omit<JsonRpcNotification, 'jsonrpc'>;

/** Sessions notified at once by one fan-out. */
const FAN_OUT_CONCURRENCY = 64;

/**
 * Session lifecycle as an RxJS stream, and server-initiated notifications to sessions.
 *
 * `events$` reports what this node observes: sessions it created, initialized or deleted, and
 * expiries its session host reports. `notify` and `notifyAll` reach sessions wherever their GET
 * stream is held, or reconnects to.
 */
@Injectable()
export class McpSessionEvents implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(McpSessionEvents.name);
  private readonly events = new Subject<McpSessionEvent>();
  private readonly subscription = new Subscription();

  /** Lifecycle events of sessions seen by this node. */
  readonly events$: Observable<McpSessionEvent> = this.events.asObservable();

  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly bus: NodeBus,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  onModuleInit(): void {
    if (this.host.expired$) {
      this.subscription.add(this.host.expired$.subscribe((sessionId) => this.emit({ type: 'expired', sessionId })));
    }
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
    this.events.complete();
  }

  /**
   * Sends a notification on the session's GET stream (appended to its log, so a client that
   * reconnects with `Last-Event-ID` still receives it). Resolves to `false` when the session is gone.
   */
  notify(sessionId: string, notification: McpNotification): Promise<boolean> {
    return this.sendStandalone(sessionId, notification);
  }

  /**
   * Sends a notification to every session whose GET stream is open, or was within
   * `notificationWindowMs` (a client reconnecting elsewhere gets it on resume), and to the
   * `subscriptions/listen` streams that asked for its kind, on every node.
   */
  async notifyAll(notification: McpNotification): Promise<void> {
    await this.bus.broadcast({ type: 'notify-all', notification: { ...notification } });
    await this.fanOut(async () => notification);
  }

  /**
   * Tells every session subscribed to `uri` (`resources/subscribe`) that it changed, like
   * {@link notifyAll} (`notifications/resources/updated`, MCP `server/resources`), and every
   * `subscriptions/listen` stream that names it.
   */
  async notifyResourceUpdated(uri: string): Promise<void> {
    await this.bus.broadcast({ type: 'resource-updated', uri });
    await this.fanOut(async (sessionId) => {
      const session = await this.host.getSession(sessionId);
      const subscribed = (session?.attributes.subscriptions as string[] | undefined)?.includes(uri);
      return subscribed ? { method: 'notifications/resources/updated', params: { uri } } : undefined;
    });
  }

  /** @internal Appends any server message (notification or request) to the session's GET stream. */
  async sendStandalone(sessionId: string, message: OutboundMessage): Promise<boolean> {
    const payload = JSON.stringify({ jsonrpc: '2.0', ...message });
    return (await this.host.appendEvent(sessionId, STANDALONE_STREAM_ID, payload)) > 0;
  }

  /**
   * Logs what `build` returns for each listening session (see `ListeningSessions`) to its GET
   * stream, from this node: whichever node holds the stream, or the one it reconnects to, delivers
   * it from the log, exactly once and in order.
   */
  private async fanOut(build: (sessionId: string) => Promise<McpNotification | undefined>): Promise<void> {
    const sessions = await this.host.listeningSessions(this.options.notificationWindowMs);
    for (let start = 0; start < sessions.length; start += FAN_OUT_CONCURRENCY) {
      await Promise.all(
        sessions.slice(start, start + FAN_OUT_CONCURRENCY).map((sessionId) =>
          build(sessionId)
            .then((notification) => notification && this.notify(sessionId, notification))
            .catch((error: unknown) => this.logger.warn(`Notifying session ${sessionId} failed: ${String(error)}`)),
        ),
      );
    }
  }

  /** @internal used by the session service. */
  emit(event: McpSessionEvent): void {
    this.events.next(event);
  }
}
