import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Subject, type Observable, filter } from 'rxjs';
import { SessionHost, type NodeMessage } from './session-host.interface.js';

/** Control messages nodes exchange through the session host. */
export type BusMessage =
  /** A session ended: every node aborts its requests and closes its streams. */
  | { type: 'session-deleted'; sessionId: string }
  /** `notifications/cancelled` from the client, for a request running on any node. */
  | { type: 'cancel'; sessionId: string; requestId: string | number; reason?: string }
  /** A new connection took over a stream: other connections reading it close. */
  | { type: 'stream-claimed'; sessionId: string; streamId: string; connectionId: string }
  /** A notification for every session whose GET stream a node holds. */
  | { type: 'notify-all'; notification: Record<string, unknown> }
  /** A resource changed: nodes notify the sessions subscribed to it whose GET stream they hold. */
  | { type: 'resource-updated'; uri: string }
  /** A client's response to a server→client request, forwarded to the node that waits for it. */
  | { type: 'client-response'; sessionId: string; message: Record<string, unknown> };

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

  constructor(@Inject(SessionHost) private readonly host: SessionHost) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.host.subscribe(this.nodeId, (message) => this.receive(message));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unsubscribe?.();
    this.messages.complete();
  }

  /** Messages of one type, as they arrive. */
  on<T extends BusMessage['type']>(type: T): Observable<Extract<BusMessage, { type: T }>> {
    return this.messages.pipe(filter((message): message is Extract<BusMessage, { type: T }> => message.type === type));
  }

  broadcast(message: BusMessage): Promise<void> {
    return this.host.broadcast(message as NodeMessage);
  }

  publish(nodeId: string, message: BusMessage): Promise<void> {
    return this.host.publish(nodeId, message as NodeMessage);
  }

  private receive(message: NodeMessage): void {
    try {
      this.messages.next(message as BusMessage);
    } catch (error) {
      this.logger.error(`Handling a ${message.type} message failed`, error instanceof Error ? error.stack : error);
    }
  }
}
