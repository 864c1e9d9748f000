import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import type { ClientCapabilities, Implementation } from '../protocol/mcp.types.js';
import { McpSessionEvents } from './mcp-session-events.service.js';
import { NodeBus } from './node-bus.service.js';
import { SessionHost, type PrincipalSession, type SessionMetadata } from './session-host.interface.js';
import { SessionsPerPrincipalError } from './session.errors.js';
import { createSessionId } from './session-id.js';

export interface NewSession {
  principal: string;
  protocolVersion: string;
  clientInfo?: Implementation;
  clientCapabilities: ClientCapabilities;
}

/** Most sessions this node remembers (last touch, cached metadata); beyond it they are all forgotten. */
const RECENT_SESSIONS_LIMIT = 50_000;

/** What this node remembers of a session it served. */
interface RecentSession {
  touchedAt: number;
  /** The metadata as of `touchedAt` or a later change, with a shared host only (docs/architecture.md, "Session cache"). */
  cached?: { session: SessionMetadata; epoch: number };
}

/** Creates, loads, touches and deletes sessions on the configured host for this node. */
@Injectable()
export class SessionService implements OnModuleInit, OnModuleDestroy {
  private readonly recent = new Map<string, RecentSession>();
  private readonly touchIntervalMs: number;
  private readonly subscription = new Subscription();

  constructor(
    @Inject(SessionHost) private readonly host: SessionHost,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly bus: NodeBus,
    private readonly events: McpSessionEvents,
  ) {
    this.touchIntervalMs = Math.max(1, Math.floor(options.sessionIdleTtlMs / 10));
  }

  // Sessions deleted on any node are forgotten here too; a change made on another node drops the cached copy.
  onModuleInit(): void {
    this.subscription.add(this.bus.on('session-deleted').subscribe(({ sessionId }) => this.recent.delete(sessionId)));
    this.subscription.add(
      this.bus.on('session-changed').subscribe(({ sessionId, nodeId }) => {
        const recent = this.recent.get(sessionId);
        if (recent && nodeId !== this.bus.nodeId) recent.cached = undefined;
      }),
    );
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  async create(session: NewSession): Promise<SessionMetadata> {
    await this.makeRoomFor(session.principal);
    const metadata: SessionMetadata = {
      id: createSessionId(),
      ...session,
      initialized: false,
      createdAt: Date.now(),
      idleTtlMs: this.options.sessionIdleTtlMs,
      maxLifetimeMs: this.options.sessionMaxLifetimeMs,
      attributes: {},
    };
    const epoch = this.epoch();
    await this.host.createSession(metadata);
    this.remember(metadata.id, metadata.createdAt, metadata, epoch);
    this.events.emit({ type: 'created', sessionId: metadata.id, session: metadata });
    return metadata;
  }

  /**
   * The session when it exists and belongs to `principal`; `undefined` otherwise, so that another
   * principal's session is indistinguishable from an unknown one (both answer 404).
   */
  async load(sessionId: string, principal: string): Promise<SessionMetadata | undefined> {
    const now = Date.now();
    const recent = this.recent.get(sessionId);
    const touchedLately = recent !== undefined && now - recent.touchedAt < this.touchIntervalMs;
    const cached = touchedLately ? this.usable(recent.cached) : undefined;
    if (cached && now < cached.createdAt + cached.maxLifetimeMs) return cached.principal === principal ? cached : undefined;
    const epoch = this.epoch();
    const session = await this.host.getSession(sessionId);
    if (!session) {
      this.recent.delete(sessionId);
      return undefined;
    }
    if (session.principal !== principal) return undefined;
    // Touched at most once per TTL/10, so an active session costs one write per interval (docs/architecture.md).
    if (!touchedLately) await this.host.touchSession(sessionId);
    this.remember(sessionId, touchedLately ? recent.touchedAt : now, session, epoch);
    return session;
  }

  async markInitialized(sessionId: string): Promise<void> {
    let changed = false;
    const epoch = this.epoch();
    const session = await this.host.mutateSession(sessionId, (current) => {
      changed = !current.initialized;
      return { ...current, initialized: true };
    });
    // Other nodes' copies may keep `initialized: false`: nothing serving a request reads it.
    if (session) this.remember(sessionId, Date.now(), session, epoch);
    if (session && changed) this.events.emit({ type: 'initialized', sessionId, session });
  }

  /** Atomically updates a session (see `SessionHost.mutateSession`); other nodes drop their cached copy. */
  async mutate(sessionId: string, update: (current: SessionMetadata) => SessionMetadata): Promise<SessionMetadata | undefined> {
    const epoch = this.epoch();
    const session = await this.host.mutateSession(sessionId, update);
    if (!session) {
      this.recent.delete(sessionId);
      return undefined;
    }
    this.remember(sessionId, Date.now(), session, epoch);
    if (this.host.connection) await this.bus.broadcast({ type: 'session-changed', sessionId, nodeId: this.bus.nodeId });
    return session;
  }

  /** The principal's live sessions (from the host's index), least recently active first. */
  async sessionsOf(principal: string): Promise<PrincipalSession[]> {
    return (await this.host.sessionsOf(principal)).sort((a, b) => a.lastActiveAt - b.lastActiveAt);
  }

  /** Applies `sessionsPerPrincipal` before the principal gets one more session. */
  private async makeRoomFor(principal: string): Promise<void> {
    const limit = this.options.sessionsPerPrincipal;
    if (!limit) return;
    const sessions = await this.sessionsOf(principal);
    if (sessions.length < limit.max) return;
    if (limit.whenFull === 'refuse') throw new SessionsPerPrincipalError(limit.max);
    for (const { session } of sessions.slice(0, sessions.length - limit.max + 1)) await this.delete(session);
  }

  /** Ends a session everywhere: its data, its streams, and its requests on every node. */
  async delete(session: SessionMetadata): Promise<boolean> {
    const sessionId = session.id;
    const deleted = await this.host.deleteSession(sessionId);
    this.recent.delete(sessionId);
    if (deleted) {
      await this.bus.broadcast({ type: 'session-deleted', sessionId });
      this.events.emit({ type: 'closed', sessionId, session });
    }
    return deleted;
  }

  /** The host connection's epoch while it is up, read before a host call whose answer may be cached. */
  private epoch(): number | undefined {
    const connection = this.host.connection;
    return connection?.connected ? connection.epoch : undefined;
  }

  /**
   * Remembers when a session was touched and, when the host stayed up from before the call that
   * read or wrote `session` (`epochBefore`) until now, a copy of it: an answer read before Redis
   * was lost must not be trusted after it came back, maybe empty.
   */
  private remember(sessionId: string, touchedAt: number, session: SessionMetadata, epochBefore: number | undefined): void {
    if (this.recent.size >= RECENT_SESSIONS_LIMIT && !this.recent.has(sessionId)) this.recent.clear();
    const cacheable = epochBefore !== undefined && this.epoch() === epochBefore;
    this.recent.set(sessionId, { touchedAt, ...(cacheable && { cached: { session, epoch: epochBefore } }) });
  }

  /** A cached copy, while the host is reachable and has not been lost since the copy was made. */
  private usable(cached: RecentSession['cached']): SessionMetadata | undefined {
    const connection = this.host.connection;
    return cached && connection?.connected && connection.epoch === cached.epoch ? cached.session : undefined;
  }
}
