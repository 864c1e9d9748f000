import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { ClientCapabilities, Implementation } from '../protocol/mcp.types.js';
import { McpSessionEvents } from './mcp-session-events.service.js';
import { NodeBus } from './node-bus.service.js';
import { SessionHost, type SessionMetadata } from './session-host.interface.js';
import { createSessionId } from './session-id.js';

export interface NewSession {
  principal: string;
  protocolVersion: string;
  clientInfo?: Implementation;
  clientCapabilities: ClientCapabilities;
}

/** Most sessions whose last touch this node remembers (for debouncing); older entries are dropped. */
const TOUCH_MEMORY_LIMIT = 50_000;

/** Creates, loads, touches and deletes sessions on the configured host for this node. */
@Injectable()
export class SessionService implements OnModuleInit, OnModuleDestroy {
  private readonly lastTouch = new Map<string, number>();
  private readonly touchIntervalMs: number;
  private readonly subscription = new Subscription();

  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly bus: NodeBus,
    private readonly events: McpSessionEvents,
  ) {
    // Touched at most once per TTL/10, so an active session costs one write per interval (docs/architecture.md).
    this.touchIntervalMs = Math.max(1, Math.floor(options.sessionIdleTtlMs / 10));
  }

  // Sessions deleted on any node are forgotten here too, so the debounce map only holds live ones.
  onModuleInit(): void {
    this.subscription.add(this.bus.on('session-deleted').subscribe(({ sessionId }) => this.lastTouch.delete(sessionId)));
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  async create(session: NewSession): Promise<SessionMetadata> {
    const metadata: SessionMetadata = {
      id: createSessionId(),
      ...session,
      initialized: false,
      createdAt: Date.now(),
      idleTtlMs: this.options.sessionIdleTtlMs,
      maxLifetimeMs: this.options.sessionMaxLifetimeMs,
      attributes: {},
    };
    await this.host.createSession(metadata);
    this.lastTouch.set(metadata.id, metadata.createdAt);
    this.events.emit({ type: 'created', sessionId: metadata.id, session: metadata });
    return metadata;
  }

  /**
   * The session when it exists and belongs to `principal`; `undefined` otherwise, so that another
   * principal's session is indistinguishable from an unknown one (both answer 404).
   */
  async load(sessionId: string, principal: string): Promise<SessionMetadata | undefined> {
    const session = await this.host.getSession(sessionId);
    if (!session || session.principal !== principal) return undefined;
    await this.touch(sessionId);
    return session;
  }

  async markInitialized(sessionId: string): Promise<void> {
    let changed = false;
    const session = await this.host.mutateSession(sessionId, (current) => {
      changed = !current.initialized;
      return { ...current, initialized: true };
    });
    if (session && changed) this.events.emit({ type: 'initialized', sessionId, session });
  }

  /** Atomically updates a session (see `SessionHost.mutateSession`). */
  mutate(sessionId: string, update: (current: SessionMetadata) => SessionMetadata): Promise<SessionMetadata | undefined> {
    return this.host.mutateSession(sessionId, update);
  }

  /** Ends a session everywhere: its data, its streams, and its requests on every node. */
  async delete(session: SessionMetadata): Promise<boolean> {
    const sessionId = session.id;
    const deleted = await this.host.deleteSession(sessionId);
    this.lastTouch.delete(sessionId);
    if (deleted) {
      await this.bus.broadcast({ type: 'session-deleted', sessionId });
      this.events.emit({ type: 'closed', sessionId, session });
    }
    return deleted;
  }

  private async touch(sessionId: string): Promise<void> {
    const now = Date.now();
    const last = this.lastTouch.get(sessionId);
    if (last !== undefined && now - last < this.touchIntervalMs) return;
    if (this.lastTouch.size >= TOUCH_MEMORY_LIMIT) this.lastTouch.clear();
    this.lastTouch.set(sessionId, now);
    await this.host.touchSession(sessionId);
  }
}
