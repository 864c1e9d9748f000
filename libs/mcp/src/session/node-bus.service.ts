import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Subject, type Observable, filter } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { TaskStatus } from '../tasks/task.types.js';
import { SessionHost, type NodeMessage } from './session-host.interface.js';
import { SessionHostUnavailableError } from './session.errors.js';

/** Control messages nodes exchange through the session host. */
export type BusMessage =
  /** A session ended: every node aborts its requests and closes its streams. */
  | { type: 'session-deleted'; sessionId: string }
  /** A session's metadata changed on node `nodeId`: other nodes drop their cached copy. */
  | { type: 'session-changed'; sessionId: string; nodeId: string }
  /** `notifications/cancelled` from the client, for a request running on any node. */
  | { type: 'cancel'; sessionId: string; requestId: string | number; reason?: string }
  /** A new connection took over a stream: other connections reading it close. */
  | { type: 'stream-claimed'; sessionId: string; streamId: string; connectionId: string }
  /** A notification for every session whose GET stream a node holds. */
  | { type: 'notify-all'; notification: Record<string, unknown> }
  /** A resource changed: nodes notify the sessions subscribed to it whose GET stream they hold. */
  | { type: 'resource-updated'; uri: string }
  /** A client's response to a server→client request, forwarded to the node that waits for it. */
  | { type: 'client-response'; sessionId: string; message: Record<string, unknown> }
  /** A task changed (status, answers, cancellation): waiters read it again; a cancelled one's runner aborts it. */
  | { type: 'task-changed'; taskId: string; status: TaskStatus };

/**
 * This node's identity and its mailbox on the session host: point-to-point messages addressed to
 * {@link nodeId} and broadcasts, as an RxJS stream of {@link BusMessage}s.
 */
@Injectable()
export class NodeBus implements OnModuleInit, OnApplicationShutdown {
  /** Unique per process and module instance; server→client request ids embed it. */
  readonly nodeId = randomBytes(6).toString('base64url');
  private readonly logger = new Logger(NodeBus.name);
  private readonly messages = new Subject<BusMessage>();
  private unsubscribe?: () => Promise<void>;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  /** Whether this node receives its messages: until then it cannot serve (the transport answers 503). */
  get ready(): boolean {
    return this.unsubscribe !== undefined;
  }

  /**
   * Subscribes to this node's inbox. When the session host cannot be reached, the app starts
   * anyway and keeps trying every second (or, with `failFastOnStartup`, refuses to start).
   */
  async onModuleInit(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      if (this.options.failFastOnStartup || !(error instanceof SessionHostUnavailableError)) throw error;
      this.logger.warn(`The session host is not reachable (${error.message}); serving 503 until it is.`);
      this.retry();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.unsubscribe?.();
    this.messages.complete();
  }

  private async connect(): Promise<void> {
    this.unsubscribe = await this.host.subscribe(this.nodeId, (message) => this.receive(message));
  }

  private retry(): void {
    this.retryTimer = setTimeout(() => {
      this.connect().then(
        () => this.logger.log('The session host is reachable: serving.'),
        () => {
          if (!this.stopped) this.retry();
        },
      );
    }, 1_000);
    this.retryTimer.unref();
  }

  /** Messages of one type, as they arrive. */
  on<T extends BusMessage['type']>(type: T): Observable<Extract<BusMessage, { type: T }>> {
    return this.messages.pipe(filter((message): message is Extract<BusMessage, { type: T }> => message.type === type));
  }

  broadcast(message: BusMessage): Promise<void> {
    return this.host.broadcast(message);
  }

  publish(nodeId: string, message: BusMessage): Promise<void> {
    return this.host.publish(nodeId, message);
  }

  private receive(message: NodeMessage): void {
    try {
      this.messages.next(message as BusMessage);
    } catch (error) {
      this.logger.error(`Handling a ${message.type} message failed`, error instanceof Error ? error.stack : error);
    }
  }
}
