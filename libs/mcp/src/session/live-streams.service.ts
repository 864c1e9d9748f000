import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Subscription } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { STANDALONE_STREAM_ID } from './event-id.js';
import { NodeBus } from './node-bus.service.js';
import { SessionHost } from './session-host.interface.js';

/** A connection of this node that is reading a session stream. */
export interface LiveConnection {
  sessionId: string;
  streamId: string;
  /** Ends the connection (the client resumes elsewhere with `Last-Event-ID`). */
  close(): void;
}

/**
 * The SSE connections this node holds. A stream is read by one connection at a time: a newer
 * connection (on any node) claims it and the older one closes, so every message reaches the client
 * once (MCP 2025-11-25 `basic/transports`: each message goes to exactly one stream). Sessions whose
 * GET stream is held here are listed among the host's listening sessions through this node (for as
 * long as its lease lasts, at no cost while idle), and for `notificationWindowMs` after their stream
 * closed here, so notifications reach them even while they reconnect elsewhere.
 */
@Injectable()
export class LiveStreams implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveStreams.name);
  /** Connections by session, then by connection id: a claim or a deletion touches one session's few. */
  private readonly connections = new Map<string, Map<string, LiveConnection>>();
  private readonly subscription = new Subscription();

  constructor(
    private readonly bus: NodeBus,
    @Inject(SessionHost) private readonly host: SessionHost,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  onModuleInit(): void {
    this.subscription.add(
      this.bus.on('stream-claimed').subscribe(({ sessionId, streamId, connectionId }) => {
        for (const [id, connection] of [...(this.connections.get(sessionId) ?? [])]) {
          if (id !== connectionId && connection.streamId === streamId) connection.close();
        }
      }),
    );
    this.subscription.add(this.bus.on('session-deleted').subscribe(({ sessionId }) => this.closeSession(sessionId)));
  }

  onApplicationShutdown(): void {
    this.subscription.unsubscribe();
    for (const session of [...this.connections.values()]) for (const connection of [...session.values()]) connection.close();
  }

  /** Registers a connection and tells every node it now owns the stream; returns its release function. */
  async claim(connection: LiveConnection): Promise<() => void> {
    const connectionId = randomBytes(9).toString('base64url');
    const session = this.connections.get(connection.sessionId) ?? new Map<string, LiveConnection>();
    this.connections.set(connection.sessionId, session.set(connectionId, connection));
    const standalone = connection.streamId === STANDALONE_STREAM_ID;
    if (standalone) await this.listening('hold', connection.sessionId);
    await this.bus.broadcast({
      type: 'stream-claimed',
      sessionId: connection.sessionId,
      streamId: connection.streamId,
      connectionId,
    });
    return () => {
      session.delete(connectionId);
      if (session.size === 0 && this.connections.get(connection.sessionId) === session) this.connections.delete(connection.sessionId);
      const stillHeld = [...session.values()].some((other) => other.streamId === STANDALONE_STREAM_ID);
      if (standalone && !stillHeld) void this.listening('release', connection.sessionId);
    };
  }

  /** Sessions with a stream of the given id held on this node. */
  sessionsHolding(streamId: string): Set<string> {
    const sessions = new Set<string>();
    for (const [sessionId, session] of this.connections) {
      for (const connection of session.values()) if (connection.streamId === streamId) sessions.add(sessionId);
    }
    return sessions;
  }

  private async listening(change: 'hold' | 'release', sessionId: string): Promise<void> {
    try {
      if (change === 'hold') await this.host.holdListening(this.bus.nodeId, [sessionId]);
      else await this.host.releaseListening(this.bus.nodeId, [sessionId], this.options.notificationWindowMs);
    } catch (error) {
      this.logger.warn(`Listing session ${sessionId} as listening (${change}) failed: ${String(error)}`);
    }
  }

  closeSession(sessionId: string): void {
    for (const connection of [...(this.connections.get(sessionId)?.values() ?? [])]) connection.close();
  }
}
