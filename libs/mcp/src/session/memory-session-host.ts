import { Buffer } from 'node:buffer';
import { Observable, Subject } from 'rxjs';
import type {
  NodeMessage,
  NodeMessageHandler,
  SessionEvent,
  SessionHost,
  PrincipalSession,
  SessionMetadata,
  StoredTask,
  StreamInfo,
  StreamOwner,
} from './session-host.interface.js';
import { ReplayUnavailableError, SessionExistsError, SessionLimitError, SessionValueLimitError, TaskLimitError } from './session.errors.js';
import { byCreation, parseTaskCursor, taskCursor } from './task-pages.js';

export interface MemorySessionHostOptions {
  /** Most sessions held at once; creating one more fails with `SessionLimitError`. Default 10,000. */
  maxSessions?: number;
  /** Events retained per stream; older ones are dropped (replay from before them is refused). Default 1,000. */
  maxEventsPerStream?: number;
  /** Finished streams retained per session (the oldest is dropped first; open ones never are). Default 64. */
  maxStreamsPerSession?: number;
  /** Largest value `putValue` accepts, in bytes (UTF-8). Default 64 KiB. */
  maxValueBytes?: number;
  /** Most values per session. Default 256. */
  maxValuesPerSession?: number;
  /** How often expired sessions are swept while any session exists. Default 30 s. */
  sweepIntervalMs?: number;
  /** Most single-use claims held at once (expired ones are dropped first). Default 100,000. */
  maxClaims?: number;
  /** Most tasks held at once, whoever owns them (expired ones are dropped first). Default 10,000. */
  maxTasks?: number;
}

interface StreamLog {
  events: SessionEvent[];
  nextSeq: number;
  finished: boolean;
  live: Subject<SessionEvent>;
  owner?: StreamOwner;
}

interface SessionRecord {
  metadata: SessionMetadata;
  lastAccess: number;
  streams: Map<string, StreamLog>;
  values: Map<string, string>;
}

/**
 * A {@link SessionHost} for one process: sessions, logs and values in bounded maps. Several
 * `McpModule` instances (nodes) may share one host in the same process, which is how tests
 * exercise cross-node behaviour without Redis.
 */
export class MemorySessionHost implements SessionHost {
  private readonly sessions = new Map<string, SessionRecord>();
  /** Session ids by principal. */
  private readonly byPrincipal = new Map<string, Set<string>>();
  private readonly inboxes = new Map<string, Set<NodeMessageHandler>>();
  private readonly subscribers = new Set<NodeMessageHandler>();
  private readonly expiredSubject = new Subject<string>();
  /** Single-use claims and when each expires. */
  private readonly claims = new Map<string, number>();
  /** Listening sessions: the node holding each one's GET stream, or until when it lingers. */
  private readonly listening = new Map<string, { nodeId?: string; until?: number }>();
  /** Node leases and when each expires. */
  private readonly leases = new Map<string, number>();
  /** Unfinished owned streams by owner node: `<session> <stream>` → where it is. */
  private readonly owned = new Map<string, Map<string, { sessionId: string; streamId: string }>>();
  private readonly tasks = new Map<string, StoredTask>();
  private readonly limits: Required<MemorySessionHostOptions>;
  private sweepTimer: NodeJS.Timeout | undefined;

  readonly expired$ = this.expiredSubject.asObservable();

  constructor(options: MemorySessionHostOptions = {}) {
    this.limits = {
      maxSessions: options.maxSessions ?? 10_000,
      maxEventsPerStream: options.maxEventsPerStream ?? 1_000,
      maxStreamsPerSession: options.maxStreamsPerSession ?? 64,
      maxValueBytes: options.maxValueBytes ?? 64 * 1024,
      maxValuesPerSession: options.maxValuesPerSession ?? 256,
      sweepIntervalMs: options.sweepIntervalMs ?? 30_000,
      maxClaims: options.maxClaims ?? 100_000,
      maxTasks: options.maxTasks ?? 10_000,
    };
  }

  /** Number of live sessions (for tests and metrics). */
  get size(): number {
    return this.sessions.size;
  }

  async createSession(metadata: SessionMetadata): Promise<void> {
    if (this.live(metadata.id)) throw new SessionExistsError(metadata.id);
    if (this.sessions.size >= this.limits.maxSessions) {
      this.sweep();
      if (this.sessions.size >= this.limits.maxSessions) throw new SessionLimitError(this.limits.maxSessions);
    }
    this.sessions.set(metadata.id, {
      metadata: frozenCopy(metadata),
      lastAccess: Date.now(),
      streams: new Map(),
      values: new Map(),
    });
    const ids = this.byPrincipal.get(metadata.principal) ?? new Set<string>();
    this.byPrincipal.set(metadata.principal, ids.add(metadata.id));
    this.startSweeping();
  }

  async sessionsOf(principal: string): Promise<PrincipalSession[]> {
    const sessions: PrincipalSession[] = [];
    for (const id of [...(this.byPrincipal.get(principal) ?? [])]) {
      const record = this.live(id);
      if (record) sessions.push({ session: record.metadata, lastActiveAt: record.lastAccess });
    }
    return sessions;
  }

  async getSession(sessionId: string): Promise<SessionMetadata | undefined> {
    const record = this.live(sessionId);
    return record?.metadata;
  }

  async mutateSession(sessionId: string, update: (current: SessionMetadata) => SessionMetadata): Promise<SessionMetadata | undefined> {
    const record = this.live(sessionId);
    if (!record) return undefined;
    const next = update(structuredClone(record.metadata));
    record.metadata = frozenCopy({ ...next, id: sessionId });
    record.lastAccess = Date.now();
    return record.metadata;
  }

  async touchSession(sessionId: string): Promise<boolean> {
    const record = this.live(sessionId);
    if (record) record.lastAccess = Date.now();
    return record !== undefined;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    // An expired session is reported as expired, not deleted.
    const record = this.live(sessionId);
    if (!record) return false;
    this.remove(sessionId, record);
    return true;
  }

  async appendEvent(sessionId: string, streamId: string, payload: string, final = false, owner?: StreamOwner): Promise<number> {
    const record = this.live(sessionId);
    if (!record) return 0;
    const log = this.streamLog(record, streamId);
    if (log.finished) return -1;
    if (log.nextSeq === 1 && owner) {
      log.owner = owner;
      const streams = this.owned.get(owner.nodeId) ?? new Map<string, { sessionId: string; streamId: string }>();
      streams.set(`${sessionId} ${streamId}`, { sessionId, streamId });
      this.owned.set(owner.nodeId, streams);
    }
    const event: SessionEvent = { seq: log.nextSeq++, payload, final };
    log.events.push(event);
    if (log.events.length > this.limits.maxEventsPerStream) log.events.shift();
    if (final) {
      log.finished = true;
      if (log.owner) this.owned.get(log.owner.nodeId)?.delete(`${sessionId} ${streamId}`);
    }
    log.live.next(event);
    if (final) log.live.complete();
    return event.seq;
  }

  async streamInfo(sessionId: string, streamId: string): Promise<StreamInfo | undefined> {
    const log = this.live(sessionId)?.streams.get(streamId);
    const first = log?.events[0];
    if (!log || !first) return undefined;
    const info: StreamInfo = { firstSeq: first.seq, lastSeq: log.nextSeq - 1, finished: log.finished };
    return log.owner && !log.finished ? { ...info, owner: log.owner.nodeId } : info;
  }

  async holdListening(nodeId: string, sessionIds: readonly string[]): Promise<void> {
    for (const sessionId of sessionIds) this.listening.set(sessionId, { nodeId });
  }

  async releaseListening(nodeId: string, sessionIds: readonly string[], lingerMs: number): Promise<void> {
    for (const sessionId of sessionIds) {
      const entry = this.listening.get(sessionId);
      if (entry === undefined || entry.nodeId === nodeId) this.listening.set(sessionId, { until: Date.now() + lingerMs });
    }
  }

  async listeningSessions(lingerMs: number): Promise<string[]> {
    const now = Date.now();
    const listening: string[] = [];
    for (const [sessionId, entry] of this.listening) {
      let until = entry.until ?? Infinity;
      const leaseEnds = entry.nodeId === undefined ? undefined : (this.leases.get(entry.nodeId) ?? now);
      if (leaseEnds !== undefined && leaseEnds <= now) {
        // The node's lease lapsed (or it was forgotten): its sessions linger from then, as if released.
        until = leaseEnds + lingerMs;
        this.listening.set(sessionId, { until });
      }
      if (until > now && this.live(sessionId)) listening.push(sessionId);
      else this.listening.delete(sessionId);
    }
    return listening;
  }

  async renewLease(nodeId: string, ttlMs: number): Promise<void> {
    this.leases.set(nodeId, Date.now() + ttlMs);
  }

  async dropLease(nodeId: string): Promise<void> {
    this.leases.delete(nodeId);
  }

  async hasLease(nodeId: string): Promise<boolean> {
    return (this.leases.get(nodeId) ?? 0) > Date.now();
  }

  async finishOrphanedStreams(): Promise<number> {
    let finished = 0;
    for (const [nodeId, streams] of [...this.owned]) {
      if (await this.hasLease(nodeId)) continue;
      this.owned.delete(nodeId);
      this.leases.delete(nodeId);
      for (const { sessionId, streamId } of streams.values()) {
        const owner = this.live(sessionId)?.streams.get(streamId)?.owner;
        if (owner && (await this.appendEvent(sessionId, streamId, owner.orphanPayload, true)) > 0) finished++;
      }
    }
    return finished;
  }

  streamEvents(sessionId: string, streamId: string, afterSeq: number): Observable<SessionEvent> {
    return new Observable<SessionEvent>((subscriber) => {
      const record = this.live(sessionId);
      if (!record) {
        subscriber.complete();
        return;
      }
      const existing = record.streams.get(streamId);
      if (!this.canReplay(existing, afterSeq)) {
        subscriber.error(new ReplayUnavailableError(streamId, afterSeq));
        return;
      }
      const log = existing ?? this.streamLog(record, streamId);
      for (const event of log.events) {
        if (event.seq > afterSeq) subscriber.next(event);
      }
      if (log.finished) {
        subscriber.complete();
        return;
      }
      const subscription = log.live.subscribe(subscriber);
      return () => subscription.unsubscribe();
    });
  }

  async publish(nodeId: string, message: NodeMessage): Promise<void> {
    this.deliver(this.inboxes.get(nodeId), message);
  }

  async broadcast(message: NodeMessage): Promise<void> {
    this.deliver(this.subscribers, message);
  }

  async subscribe(nodeId: string, handler: NodeMessageHandler): Promise<() => Promise<void>> {
    const inbox = this.inboxes.get(nodeId) ?? new Set<NodeMessageHandler>();
    inbox.add(handler);
    this.inboxes.set(nodeId, inbox);
    this.subscribers.add(handler);
    return async () => {
      inbox.delete(handler);
      if (inbox.size === 0) this.inboxes.delete(nodeId);
      this.subscribers.delete(handler);
    };
  }

  async putValue(sessionId: string, key: string, value: string): Promise<void> {
    const size = Buffer.byteLength(value, 'utf8');
    if (size > this.limits.maxValueBytes) {
      throw new SessionValueLimitError(`Session value "${key}" is ${size} bytes; the limit is ${this.limits.maxValueBytes}.`);
    }
    const record = this.live(sessionId);
    if (!record) return;
    if (!record.values.has(key) && record.values.size >= this.limits.maxValuesPerSession) {
      throw new SessionValueLimitError(`A session holds at most ${this.limits.maxValuesPerSession} values.`);
    }
    record.values.set(key, value);
  }

  async getValue(sessionId: string, key: string): Promise<string | undefined> {
    return this.live(sessionId)?.values.get(key);
  }

  async deleteValue(sessionId: string, key: string): Promise<void> {
    this.live(sessionId)?.values.delete(key);
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const expiresAt = this.claims.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    if (expiresAt === undefined && this.claims.size >= this.limits.maxClaims) {
      for (const [claimed, until] of this.claims) if (until <= now) this.claims.delete(claimed);
      if (this.claims.size >= this.limits.maxClaims) {
        throw new SessionLimitError(`The session host holds ${this.limits.maxClaims} single-use claims; try again later.`);
      }
    }
    this.claims.set(key, now + ttlMs);
    return true;
  }

  async createTask(task: StoredTask, maxPerOwner: number): Promise<void> {
    this.dropExpiredTasks();
    if (this.tasks.has(task.id)) throw new Error(`A task with id ${task.id} already exists.`);
    let owned = 0;
    for (const existing of this.tasks.values()) if (existing.owner === task.owner) owned++;
    if (owned >= maxPerOwner) throw new TaskLimitError(`This client already has ${maxPerOwner} tasks; wait for some to expire.`);
    if (this.tasks.size >= this.limits.maxTasks)
      throw new TaskLimitError(`The session host holds ${this.limits.maxTasks} tasks; try again later.`);
    this.tasks.set(task.id, frozenCopy(task));
  }

  async getTask(taskId: string): Promise<StoredTask | undefined> {
    return this.liveTask(taskId);
  }

  async updateTask(taskId: string, update: (current: StoredTask) => StoredTask): Promise<StoredTask | undefined> {
    // Read and written in one turn of the event loop: concurrent updates apply one after the other.
    const current = this.liveTask(taskId);
    if (!current) return undefined;
    const updated = update(current);
    if (updated === current) return current;
    const next = frozenCopy({ ...updated, id: current.id, owner: current.owner, createdAt: current.createdAt });
    this.tasks.set(taskId, next);
    return next;
  }

  async listTasks(owner: string, { after, limit }: { after?: string; limit: number }): Promise<{ tasks: StoredTask[]; next?: string }> {
    this.dropExpiredTasks();
    const start = after === undefined ? undefined : parseTaskCursor(after);
    const rest = [...this.tasks.values()]
      .filter((task) => task.owner === owner && (!start || byCreation(task, start) > 0))
      .sort(byCreation);
    const tasks = rest.slice(0, limit);
    return rest.length > limit ? { tasks, next: taskCursor(tasks.at(-1)!) } : { tasks };
  }

  async orphanedTasks(): Promise<StoredTask[]> {
    const orphans: StoredTask[] = [];
    for (const task of this.tasks.values()) {
      if (task.runner !== undefined && task.expiresAt > Date.now() && !(await this.hasLease(task.runner))) orphans.push(task);
    }
    return orphans;
  }

  async close(): Promise<void> {
    this.tasks.clear();
    this.claims.clear();
    this.listening.clear();
    this.leases.clear();
    this.owned.clear();
    this.stopSweeping();
    for (const [id, record] of this.sessions) this.remove(id, record);
    this.inboxes.clear();
    this.subscribers.clear();
  }

  private liveTask(taskId: string): StoredTask | undefined {
    const task = this.tasks.get(taskId);
    if (task && task.expiresAt <= Date.now()) {
      this.tasks.delete(taskId);
      return undefined;
    }
    return task;
  }

  private dropExpiredTasks(): void {
    const now = Date.now();
    for (const [id, task] of this.tasks) if (task.expiresAt <= now) this.tasks.delete(id);
  }

  /** The record when it exists and has not expired; expires it on the way otherwise. */
  private live(sessionId: string): SessionRecord | undefined {
    const record = this.sessions.get(sessionId);
    if (!record) return undefined;
    if (this.expiresAt(record) <= Date.now()) {
      this.remove(sessionId, record);
      this.expiredSubject.next(sessionId);
      return undefined;
    }
    return record;
  }

  private expiresAt(record: SessionRecord): number {
    const { createdAt, idleTtlMs, maxLifetimeMs } = record.metadata;
    return Math.min(record.lastAccess + idleTtlMs, createdAt + maxLifetimeMs);
  }

  /** Whether every event after `afterSeq` is retained; a stream not written yet has all of them. */
  private canReplay(log: StreamLog | undefined, afterSeq: number): boolean {
    const nextSeq = log?.nextSeq ?? 1;
    if (afterSeq >= nextSeq) return false;
    const firstRetained = log?.events[0]?.seq ?? nextSeq;
    return afterSeq + 1 >= firstRetained;
  }

  private streamLog(record: SessionRecord, streamId: string): StreamLog {
    let log = record.streams.get(streamId);
    if (!log) {
      log = { events: [], nextSeq: 1, finished: false, live: new Subject<SessionEvent>() };
      record.streams.set(streamId, log);
      if (record.streams.size > this.limits.maxStreamsPerSession) this.evictStream(record, streamId);
    }
    return log;
  }

  /**
   * Drops the oldest finished stream. Open streams are never dropped: a later append would restart
   * their numbering and a client's Last-Event-ID could then point into different events.
   */
  private evictStream(record: SessionRecord, keep: string): void {
    const victim = [...record.streams].find(([id, log]) => id !== keep && log.finished);
    if (victim) record.streams.delete(victim[0]);
  }

  private remove(sessionId: string, record: SessionRecord): void {
    this.sessions.delete(sessionId);
    const ids = this.byPrincipal.get(record.metadata.principal);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byPrincipal.delete(record.metadata.principal);
    for (const [streamId, log] of record.streams) {
      if (log.owner && !log.finished) this.owned.get(log.owner.nodeId)?.delete(`${sessionId} ${streamId}`);
      log.live.complete();
    }
    if (this.sessions.size === 0) this.stopSweeping();
  }

  private deliver(handlers: Set<NodeMessageHandler> | undefined, message: NodeMessage): void {
    if (!handlers || handlers.size === 0) return;
    const copy = structuredClone(message);
    for (const handler of [...handlers]) queueMicrotask(() => handler(structuredClone(copy)));
  }

  private sweep(): void {
    for (const id of [...this.sessions.keys()]) this.live(id);
  }

  private startSweeping(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), this.limits.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  private stopSweeping(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }
}

/**
 * A copy nobody can change: stored metadata is handed out as is (no copy per read, on the path of
 * every request), so a caller that tried to modify it would throw instead of changing the session.
 */
function frozenCopy<T>(value: T): T {
  return freezeDeep(structuredClone(value));
}

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}
