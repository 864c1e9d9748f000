import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  SessionExistsError,
  SessionHostUnavailableError,
  SessionValueLimitError,
  TaskLimitError,
  byCreation,
  parseTaskCursor,
  taskCursor,
  type HostConnection,
  type NodeMessage,
  type NodeMessageHandler,
  type PrincipalSession,
  type SessionEvent,
  type SessionHost,
  type SessionMetadata,
  type StoredTask,
  type StreamInfo,
  type StreamOwner,
} from '@nest-mcp/mcp';
import { Buffer } from 'node:buffer';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { throwError, type Observable } from 'rxjs';
import { LiveTails, type LogRead } from './live-tails.js';
import { toHostError } from './redis-errors.js';
import { RedisKeys } from './redis-keys.js';
import { RedisPubSub } from './redis-pubsub.js';
import {
  resolveRedisSessionHostOptions,
  type RedisSessionHostOptions,
  type ResolvedRedisSessionHostOptions,
} from './redis-session-host.options.js';
import {
  APPEND_EVENT,
  CREATE_SESSION,
  DELETE_SESSION,
  FORGET_NODE,
  HAS_LEASE,
  INDEX_TASK,
  INDEXED_TASKS,
  LAPSED_NODES,
  LISTENING_SESSIONS,
  HOLD_LISTENING,
  INDEX_SESSION,
  LOG_MESSAGE,
  MUTATE_SESSION,
  PUT_VALUE,
  READ_EVENTS,
  RELEASE_LISTENING,
  RENEW_LEASE,
  SESSION_ACTIVITY,
  STREAM_INFO,
  TOUCH_SESSION,
  UPDATE_TASK,
} from './session.scripts.js';

/** ioredis connection states after a connection was lost (the first connection goes through others). */
const LOST_STATES = new Set(['reconnecting', 'close', 'end']);

/** Compare-and-set rounds `mutateSession` tries before giving up under contention. */
const MAX_MUTATE_ATTEMPTS = 100;

/** About how many recent messages each node channel keeps for catching up, and for how long. */
const MESSAGE_LOG_LENGTH = 10_000;
const MESSAGE_LOG_TTL_MS = 60 * 60 * 1000;

/** Stream entry ids (`<ms>-<seq>`) in order. */
const compareIds = (a: string, b: string): number => {
  const [aMs, aSeq] = a.split('-').map(Number);
  const [bMs, bSeq] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
};

/** How far back a catch-up re-reads before the newest message delivered: publishes may arrive out of id order. */
const CATCH_UP_WINDOW_MS = 5_000;
/** Delivered ids remembered per channel, so a message read twice is handed over once. */
const DELIVERED_MEMORY = 10_000;

/** What a node channel delivered so far, so that catching up after a reconnect repeats nothing. */
interface ChannelCursor {
  /** Messages at or before this id were sent before the subscription: never delivered. */
  floor: string;
  /** The newest id delivered. */
  newest: string;
  /** Ids delivered lately (insertion order, oldest first). */
  delivered: Set<string>;
  /** Messages received live while a catch-up reads the log; delivered after it. */
  held?: Array<{ id: string; payload: string }>;
}

type RawEntry = [id: string, fields: string[]];

/**
 * A {@link SessionHost} in Redis (standalone 6.2+, or Cluster): any instance of the app serves any
 * request of any session, with no sticky routing.
 *
 * - Metadata and values: one hash per session with a sliding idle TTL, never beyond the absolute
 *   lifetime; create and compare-and-set mutate are Lua scripts.
 * - Session log: one Redis Stream per (session, stream), entry ids `<seq>-0`, trimmed exactly to
 *   `maxEventsPerStream`, expiring with the session. Replays are `XRANGE` reads and are refused,
 *   not shortened, when retention dropped part of the range.
 * - Live delivery and routing: one subscriber connection per host, whatever the number of open
 *   streams. An append publishes a wake-up on its session's channel and open streams then read the
 *   log; node inboxes and broadcasts are channels too. Each node message is also appended to a
 *   short Redis Stream per channel, and a node whose subscriber reconnected reads what it missed
 *   there, so no message is lost to a reconnect.
 * - Cluster: every key and channel of a session carries the hash tag `{sessionId}`; no script or
 *   command spans two slots, and nothing scans the keyspace.
 */
export class RedisSessionHost implements SessionHost, OnApplicationShutdown {
  private readonly logger = new Logger(RedisSessionHost.name);
  private readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;
  private readonly options: ResolvedRedisSessionHostOptions;
  private readonly keys: RedisKeys;
  private readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** Node message handlers by channel (inbox and broadcast). */
  private readonly routes = new Map<string, Set<NodeMessageHandler>>();
  /** Where each node channel stands. */
  private readonly cursors = new Map<string, ChannelCursor>();
  private live: { connection: Redis | Cluster; pubsub: RedisPubSub; tails: LiveTails } | undefined;
  private closed = false;
  /** Grows whenever a connection to Redis closes: what nodes cached before may be stale. */
  private epoch = 0;

  constructor(options: RedisSessionHostOptions = {}) {
    if (options.url !== undefined && options.client) {
      throw new Error('RedisSessionHost: give either "url" or "client", not both.');
    }
    this.options = resolveRedisSessionHostOptions(options, options.client?.isCluster ?? false);
    this.ownsClient = !options.client;
    this.client = options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', this.connectionOptions(options.redisOptions));
    this.keys = new RedisKeys(this.options.keyPrefix);
    this.publishCommand = this.options.pubSub === 'sharded' ? 'SPUBLISH' : 'PUBLISH';
    if (this.ownsClient) this.watch(this.client, 'commands');
    this.client.on('close', () => this.epoch++);
  }

  /** Whether Redis is reachable now through both connections, and how often one of them was lost. */
  get connection(): HostConnection {
    const reachable = (connection: Redis | Cluster | undefined) => connection === undefined || connection.status === 'ready';
    return { connected: !this.closed && reachable(this.client) && reachable(this.live?.connection), epoch: this.epoch };
  }

  /** Open live streams on this node (for tests and metrics). */
  get liveStreams(): number {
    return this.live?.tails.size ?? 0;
  }

  async createSession(metadata: SessionMetadata): Promise<void> {
    const end = metadata.createdAt + metadata.maxLifetimeMs;
    const ttl = Math.max(1, Math.min(metadata.idleTtlMs, end - Date.now()));
    const created = await this.command(() =>
      CREATE_SESSION.run(this.client, [this.keys.session(metadata.id)], [JSON.stringify(metadata), metadata.idleTtlMs, end, ttl]),
    );
    if (created === 0) throw new SessionExistsError(metadata.id);
    await this.command(() =>
      INDEX_SESSION.run(this.client, [this.keys.sessionsOf(metadata.principal)], [metadata.id, Math.max(1, end - Date.now())]),
    );
  }

  /**
   * From the principal's index; entries of sessions that ended or expired are dropped on the way.
   * Last activity is read from the session's remaining idle TTL (touches are debounced by callers).
   */
  async sessionsOf(principal: string): Promise<PrincipalSession[]> {
    const index = this.keys.sessionsOf(principal);
    const ids = await this.command(() => this.client.smembers(index));
    const now = Date.now();
    const found = await Promise.all(
      ids.map(async (id) => {
        const activity = (await this.command(() => SESSION_ACTIVITY.run(this.client, [this.keys.session(id)], []))) as
          [string, string, number] | null;
        if (!activity) {
          await this.command(() => this.client.srem(index, id));
          return undefined;
        }
        const session = JSON.parse(activity[0]) as SessionMetadata;
        const lastActiveAt = Math.max(session.createdAt, now - (Number(activity[1]) - activity[2]));
        return { session, lastActiveAt };
      }),
    );
    return found.filter((entry) => entry !== undefined);
  }

  async getSession(sessionId: string): Promise<SessionMetadata | undefined> {
    const json = await this.command(() => this.client.hget(this.keys.session(sessionId), 'm'));
    return json === null ? undefined : (JSON.parse(json) as SessionMetadata);
  }

  async mutateSession(sessionId: string, update: (current: SessionMetadata) => SessionMetadata): Promise<SessionMetadata | undefined> {
    let current = await this.command(() => this.client.hget(this.keys.session(sessionId), 'm'));
    for (let attempt = 0; attempt < MAX_MUTATE_ATTEMPTS && current !== null; attempt++) {
      const expected: string = current;
      const next = { ...update(JSON.parse(expected) as SessionMetadata), id: sessionId };
      const json = JSON.stringify(next);
      const stored = await this.command(() =>
        MUTATE_SESSION.run(
          this.client,
          [this.keys.session(sessionId), this.keys.streams(sessionId)],
          [expected, json, next.idleTtlMs, next.createdAt + next.maxLifetimeMs, Date.now(), this.keys.streamPrefix(sessionId)],
        ),
      );
      if (stored === 1) return JSON.parse(json) as SessionMetadata;
      current = stored as string | null;
    }
    if (current === null) return undefined;
    throw new SessionHostUnavailableError(`Session ${sessionId} changed ${MAX_MUTATE_ATTEMPTS} times during one update; try again.`);
  }

  async touchSession(sessionId: string): Promise<boolean> {
    const touched = await this.command(() =>
      TOUCH_SESSION.run(
        this.client,
        [this.keys.session(sessionId), this.keys.streams(sessionId)],
        [Date.now(), this.keys.streamPrefix(sessionId)],
      ),
    );
    return touched === 1;
  }

  async deleteSession(sessionId: string): Promise<boolean> {
    const deleted = await this.command(() =>
      DELETE_SESSION.run(
        this.client,
        [this.keys.session(sessionId), this.keys.streams(sessionId)],
        [this.keys.streamPrefix(sessionId), this.publishCommand, this.keys.wake(sessionId)],
      ),
    );
    if (typeof deleted !== 'string') return false;
    const { principal } = JSON.parse(deleted) as SessionMetadata;
    await this.command(() => this.client.srem(this.keys.sessionsOf(principal), sessionId));
    return true;
  }

  async appendEvent(sessionId: string, streamId: string, payload: string, final = false, owner?: StreamOwner): Promise<number> {
    const member = encodeURIComponent(streamId);
    // Indexed before the stream exists, so a node that dies right after creating it leaves no stream unfound.
    if (owner) await this.command(() => this.client.hset(this.keys.owned(owner.nodeId), `${sessionId} ${member}`, owner.orphanPayload));
    const [seq, ended] = (await this.command(() =>
      APPEND_EVENT.run(
        this.client,
        [this.keys.session(sessionId), this.keys.streams(sessionId), this.keys.stream(sessionId, streamId)],
        [
          member,
          payload,
          final ? '1' : '0',
          this.options.maxEventsPerStream,
          this.options.maxStreamsPerSession,
          Date.now(),
          this.keys.streamPrefix(sessionId),
          this.publishCommand,
          this.keys.wake(sessionId),
          owner?.nodeId ?? '',
        ],
      ),
    )) as [number, string | null];
    if (ended) await this.command(() => this.client.hdel(this.keys.owned(ended), `${sessionId} ${member}`));
    return seq;
  }

  async streamInfo(sessionId: string, streamId: string): Promise<StreamInfo | undefined> {
    const info = (await this.command(() =>
      STREAM_INFO.run(this.client, [this.keys.session(sessionId), this.keys.stream(sessionId, streamId)], [encodeURIComponent(streamId)]),
    )) as [number, number, number, string | null] | null;
    if (!info) return undefined;
    const [firstSeq, lastSeq, finished, owner] = info;
    return { firstSeq, lastSeq, finished: finished === 1, ...(owner && finished !== 1 && { owner }) };
  }

  /** One script per call, however many sessions; nothing per session while they stay held. */
  async holdListening(nodeId: string, sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.command(() => HOLD_LISTENING.run(this.client, [this.keys.listeningHeld, this.keys.listening], [nodeId, ...sessionIds]));
  }

  async releaseListening(nodeId: string, sessionIds: readonly string[], lingerMs: number): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.command(() =>
      RELEASE_LISTENING.run(
        this.client,
        [this.keys.listeningHeld, this.keys.listening],
        [nodeId, Math.max(1, Math.ceil(lingerMs)), ...sessionIds],
      ),
    );
  }

  async listeningSessions(lingerMs: number): Promise<string[]> {
    return (await this.command(() =>
      LISTENING_SESSIONS.run(
        this.client,
        [this.keys.listeningHeld, this.keys.listening, this.keys.leases],
        [Math.max(1, Math.ceil(lingerMs))],
      ),
    )) as string[];
  }

  async renewLease(nodeId: string, ttlMs: number): Promise<void> {
    await this.command(() => RENEW_LEASE.run(this.client, [this.keys.leases], [nodeId, Math.max(1, Math.ceil(ttlMs))]));
  }

  /** Ends the lease now: sweepers treat the node as gone and forget it once its streams are ended. */
  async dropLease(nodeId: string): Promise<void> {
    await this.command(() => this.client.zadd(this.keys.leases, 0, nodeId));
  }

  async hasLease(nodeId: string): Promise<boolean> {
    return (await this.command(() => HAS_LEASE.run(this.client, [this.keys.leases], [nodeId]))) === 1;
  }

  async finishOrphanedStreams(): Promise<number> {
    const lapsed = (await this.command(() => LAPSED_NODES.run(this.client, [this.keys.leases], []))) as string[];
    let finished = 0;
    for (const nodeId of lapsed) {
      const owned = await this.command(() => this.client.hgetall(this.keys.owned(nodeId)));
      for (const [field, orphanPayload] of Object.entries(owned)) {
        const space = field.indexOf(' ');
        const sessionId = field.slice(0, space);
        const streamId = decodeURIComponent(field.slice(space + 1));
        if ((await this.appendEvent(sessionId, streamId, orphanPayload, true)) > 0) finished++;
        // Ended here, by the owner, by another sweeper, or gone with its session: forgotten either way.
        await this.command(() => this.client.hdel(this.keys.owned(nodeId), field));
      }
      await this.command(() => FORGET_NODE.run(this.client, [this.keys.leases], [nodeId]));
    }
    return finished;
  }

  streamEvents(sessionId: string, streamId: string, afterSeq: number): Observable<SessionEvent> {
    if (this.closed) return throwError(() => this.closedError());
    return this.liveDelivery().tails.open(sessionId, streamId, afterSeq);
  }

  async publish(nodeId: string, message: NodeMessage): Promise<void> {
    await this.send(this.keys.inbox(nodeId), message);
  }

  async broadcast(message: NodeMessage): Promise<void> {
    await this.send(this.keys.broadcast, message);
  }

  async subscribe(nodeId: string, handler: NodeMessageHandler): Promise<() => Promise<void>> {
    if (this.closed) throw this.closedError();
    const { pubsub } = this.liveDelivery();
    const channels = [this.keys.inbox(nodeId), this.keys.broadcast];
    const leases = channels.map((channel) => pubsub.acquire(channel));
    for (const channel of channels) {
      let handlers = this.routes.get(channel);
      if (!handlers) this.routes.set(channel, (handlers = new Set()));
      handlers.add(handler);
    }
    const stop = async () => {
      for (const channel of channels) {
        const handlers = this.routes.get(channel);
        handlers?.delete(handler);
        if (handlers?.size === 0) {
          this.routes.delete(channel);
          this.cursors.delete(channel);
        }
      }
      for (const lease of leases) lease.release();
    };
    try {
      await Promise.all(leases.map((lease) => lease.subscribed));
      for (const channel of channels) await this.startCursor(channel);
    } catch (error) {
      await stop();
      throw toHostError(error);
    }
    return stop;
  }

  /**
   * Starts reading a channel at the end of its log. Messages received meanwhile were sent after the
   * subscription was armed: they are held, then delivered.
   */
  private async startCursor(channel: string): Promise<void> {
    if (this.cursors.has(channel)) return;
    const cursor: ChannelCursor = { floor: '0-0', newest: '0-0', delivered: new Set(), held: [] };
    this.cursors.set(channel, cursor);
    try {
      const [last] = (await this.command(() => this.client.xrevrange(this.keys.messageLog(channel), '+', '-', 'COUNT', 1))) as RawEntry[];
      if (last) cursor.floor = cursor.newest = last[0];
    } finally {
      this.release(channel, cursor);
    }
  }

  /**
   * Reads what a channel's log holds from a little before the newest message delivered (the
   * subscriber was away), then what was held meanwhile; ids already delivered are skipped.
   */
  private async catchUp(channel: string): Promise<void> {
    const cursor = this.cursors.get(channel);
    if (!cursor || cursor.held) return;
    cursor.held = [];
    try {
      const windowStart = `${Math.max(0, Number(cursor.newest.split('-')[0]) - CATCH_UP_WINDOW_MS)}-0`;
      const start = compareIds(windowStart, cursor.floor) > 0 ? windowStart : `(${cursor.floor}`;
      const missed = (await this.command(() => this.client.xrange(this.keys.messageLog(channel), start, '+'))) as RawEntry[];
      for (const [id, fields] of missed) this.deliver(channel, cursor, id, fields[1]);
    } catch (error) {
      this.logger.warn(`Catching up on ${channel} failed: ${String(error)}`);
    } finally {
      this.release(channel, cursor);
    }
  }

  private release(channel: string, cursor: ChannelCursor): void {
    const held = cursor.held ?? [];
    cursor.held = undefined;
    for (const { id, payload } of held) this.deliver(channel, cursor, id, payload);
  }

  /** Hands a node message to the channel's handlers once, whether it came live or from the log. */
  private deliver(channel: string, cursor: ChannelCursor, id: string, payload: string): void {
    if (cursor.held) {
      cursor.held.push({ id, payload });
      return;
    }
    if (cursor.delivered.has(id) || compareIds(id, cursor.floor) <= 0) return;
    cursor.delivered.add(id);
    if (cursor.delivered.size > DELIVERED_MEMORY) cursor.delivered.delete(cursor.delivered.values().next().value!);
    if (compareIds(id, cursor.newest) > 0) cursor.newest = id;
    for (const handler of [...(this.routes.get(channel) ?? [])]) {
      try {
        handler(JSON.parse(payload) as NodeMessage);
      } catch (error) {
        this.logger.error(`A node message handler failed on ${channel}`, error instanceof Error ? error.stack : String(error));
      }
    }
  }

  async putValue(sessionId: string, key: string, value: string): Promise<void> {
    const size = Buffer.byteLength(value, 'utf8');
    if (size > this.options.maxValueBytes) {
      throw new SessionValueLimitError(`Session value "${key}" is ${size} bytes; the limit is ${this.options.maxValueBytes}.`);
    }
    const stored = await this.command(() =>
      PUT_VALUE.run(this.client, [this.keys.session(sessionId)], [`v:${key}`, value, this.options.maxValuesPerSession]),
    );
    if (stored === -1) throw new SessionValueLimitError(`A session holds at most ${this.options.maxValuesPerSession} values.`);
  }

  async getValue(sessionId: string, key: string): Promise<string | undefined> {
    const value = await this.command(() => this.client.hget(this.keys.session(sessionId), `v:${key}`));
    return value ?? undefined;
  }

  async deleteValue(sessionId: string, key: string): Promise<void> {
    await this.command(() => this.client.hdel(this.keys.session(sessionId), `v:${key}`));
  }

  /** `SET NX PX`: the first node to claim `key` wins until it expires; Redis expires it, so claims never pile up. */
  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const stored = await this.command(() => this.client.set(this.keys.claim(key), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'));
    return stored === 'OK';
  }

  /**
   * The task's JSON expires with it; its owner's index (one sorted set per owner) bounds how many
   * tasks an owner has, and the running-tasks hash tells the sweep which node runs what.
   */
  async createTask(task: StoredTask, maxPerOwner: number): Promise<void> {
    const now = Date.now();
    const indexed = await this.command(() =>
      INDEX_TASK.run(this.client, [this.keys.tasksOf(task.owner)], [now, taskCursor(task), task.expiresAt, maxPerOwner]),
    );
    if (indexed === 0) throw new TaskLimitError(`This client already has ${maxPerOwner} tasks; wait for some to expire.`);
    if (task.runner !== undefined) await this.command(() => this.client.hset(this.keys.runningTasks, task.id, task.runner!));
    const stored = await this.command(() =>
      this.client.set(this.keys.task(task.id), JSON.stringify(task), 'PX', Math.max(1, task.expiresAt - now), 'NX'),
    );
    if (stored !== 'OK') throw new Error(`A task with id ${task.id} already exists.`);
  }

  async getTask(taskId: string): Promise<StoredTask | undefined> {
    const json = await this.command(() => this.client.get(this.keys.task(taskId)));
    return json === null ? undefined : (JSON.parse(json) as StoredTask);
  }

  async updateTask(taskId: string, update: (current: StoredTask) => StoredTask): Promise<StoredTask | undefined> {
    let current = await this.command(() => this.client.get(this.keys.task(taskId)));
    for (let attempt = 0; attempt < MAX_MUTATE_ATTEMPTS && current !== null; attempt++) {
      const expected: string = current;
      const before = JSON.parse(expected) as StoredTask;
      const updated = update(before);
      if (updated === before) return before;
      const next: StoredTask = { ...updated, id: before.id, owner: before.owner, createdAt: before.createdAt };
      const json = JSON.stringify(next);
      const stored = await this.command(() =>
        UPDATE_TASK.run(this.client, [this.keys.task(taskId)], [expected, json, next.expiresAt - Date.now()]),
      );
      if (stored === 1) {
        if (next.runner !== before.runner) {
          await this.command(() =>
            next.runner === undefined
              ? this.client.hdel(this.keys.runningTasks, taskId)
              : this.client.hset(this.keys.runningTasks, taskId, next.runner),
          );
        }
        return next;
      }
      current = stored as string | null;
    }
    if (current === null) return undefined;
    throw new SessionHostUnavailableError(`Task ${taskId} changed ${MAX_MUTATE_ATTEMPTS} times during one update; try again.`);
  }

  async listTasks(owner: string, { after, limit }: { after?: string; limit: number }): Promise<{ tasks: StoredTask[]; next?: string }> {
    const members = (await this.command(() => INDEXED_TASKS.run(this.client, [this.keys.tasksOf(owner)], [Date.now()]))) as string[];
    const start = after === undefined ? undefined : parseTaskCursor(after);
    const ordered = members
      .map(parseTaskCursor)
      .filter((place): place is Pick<StoredTask, 'createdAt' | 'id'> => place !== undefined && (!start || byCreation(place, start) > 0))
      .sort(byCreation);
    // Index entries whose task is gone (never stored, or expired a moment ago) are skipped.
    const tasks: StoredTask[] = [];
    let read = 0;
    while (tasks.length < limit && read < ordered.length) {
      const chunk = ordered.slice(read, read + limit - tasks.length);
      read += chunk.length;
      for (const task of await Promise.all(chunk.map((place) => this.getTask(place.id)))) if (task?.owner === owner) tasks.push(task);
    }
    return read < ordered.length && tasks.length > 0 ? { tasks, next: taskCursor(tasks.at(-1)!) } : { tasks };
  }

  async orphanedTasks(): Promise<StoredTask[]> {
    const running = await this.command(() => this.client.hgetall(this.keys.runningTasks));
    const runners = new Map<string, boolean>();
    const orphans: StoredTask[] = [];
    for (const [taskId, nodeId] of Object.entries(running)) {
      if (!runners.has(nodeId)) runners.set(nodeId, await this.hasLease(nodeId));
      if (runners.get(nodeId)) continue;
      const task = await this.getTask(taskId);
      if (task?.runner === nodeId) orphans.push(task);
      // Gone, finished or moved on: the entry is stale.
      else await this.command(() => this.client.hdel(this.keys.runningTasks, taskId));
    }
    return orphans;
  }

  /** Ends the live streams of this node and closes the connections the host created (not a client it was given). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.routes.clear();
    this.cursors.clear();
    const live = this.live;
    live?.tails.completeAll();
    await Promise.all([live && quit(live.connection), this.ownsClient && quit(this.client)]);
  }

  /**
   * Closes with the app, in its last shutdown step: after `McpModule` let running requests finish
   * and wrote their last events (docs/architecture.md, "Instance death and shutdown").
   */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Logs the message in the channel's stream, then publishes `<entry id> <message>`. */
  private async send(channel: string, message: NodeMessage): Promise<void> {
    const payload = JSON.stringify(message);
    const id = (await this.command(() =>
      LOG_MESSAGE.run(this.client, [this.keys.messageLog(channel)], [payload, MESSAGE_LOG_LENGTH, MESSAGE_LOG_TTL_MS]),
    )) as string;
    const published = `${id} ${payload}`;
    await this.command(() =>
      this.publishCommand === 'SPUBLISH' ? this.client.spublish(channel, published) : this.client.publish(channel, published),
    );
  }

  private async readLog(sessionId: string, streamId: string, afterSeq: number, count: number): Promise<LogRead> {
    const [status, entries, expiresInMs] = (await this.command(() =>
      READ_EVENTS.run(this.client, [this.keys.session(sessionId), this.keys.stream(sessionId, streamId)], [afterSeq, count]),
    )) as [string, RawEntry[] | undefined, number | undefined];
    if (status !== 'ok') return { kind: status as 'gone' | 'gap' | 'done' };
    return {
      kind: 'events',
      events: (entries ?? []).map(([id, fields]) => ({ seq: Number.parseInt(id, 10), payload: fields[1], final: fields[2] === 'f' })),
      expiresInMs: expiresInMs ?? -1,
    };
  }

  /** The subscriber connection and the live streams on it, created on first use. */
  private liveDelivery(): NonNullable<RedisSessionHost['live']> {
    if (this.live) return this.live;
    const sharded = this.options.pubSub === 'sharded';
    const connection = this.client.isCluster
      ? (this.client as Cluster).duplicate([], sharded ? { shardedSubscribers: true } : {})
      : (this.client as Redis).duplicate();
    this.watch(connection, 'subscriber');
    const pubsub = new RedisPubSub(connection, sharded, (channel, message) => this.receive(channel, message));
    const tails = new LiveTails(
      pubsub,
      { read: (...args) => this.readLog(...args), wakeChannel: (sessionId) => this.keys.wake(sessionId) },
      { batchSize: this.options.readBatchSize, pollIntervalMs: this.options.pollIntervalMs },
    );
    // Wake-ups sent while the subscriber is away are lost: end the streams so clients resume.
    let lost = false;
    connection.on('close', () => {
      lost = true;
      this.epoch++;
      tails.failAll(new SessionHostUnavailableError('The Redis subscriber connection was lost.'));
    });
    // Node messages sent meanwhile are in their channels' logs: read them now, and once more when
    // the resubscriptions have surely been made (the cursors skip anything delivered twice).
    connection.on('ready', () => {
      if (!lost) return;
      lost = false;
      const catchUpAll = () => {
        for (const channel of this.cursors.keys()) void this.catchUp(channel);
      };
      catchUpAll();
      setTimeout(catchUpAll, 1_000).unref();
    });
    this.live = { connection, pubsub, tails };
    return this.live;
  }

  private receive(channel: string, message: string): void {
    const sessionId = this.keys.sessionOfWake(channel);
    if (sessionId !== undefined) {
      this.live?.tails.wake(sessionId, message);
      return;
    }
    const cursor = this.cursors.get(channel);
    if (!cursor) return;
    const space = message.indexOf(' ');
    this.deliver(channel, cursor, message.slice(0, space), message.slice(space + 1));
  }

  /**
   * Runs Redis commands, turning connection trouble into `SessionHostUnavailableError`. While a
   * connection the host created is lost, commands fail at once instead of waiting in ioredis's
   * offline queue (which only helps while the first connection is being made).
   */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) throw this.closedError();
    if (this.ownsClient && LOST_STATES.has(this.client.status)) {
      throw new SessionHostUnavailableError('The Redis session store is unavailable (reconnecting).');
    }
    try {
      return await run();
    } catch (error) {
      throw toHostError(error);
    }
  }

  private closedError(): SessionHostUnavailableError {
    return new SessionHostUnavailableError('The Redis session host is closed.');
  }

  /** Logs an outage once, and its end, instead of every failed reconnection attempt. */
  private watch(connection: Redis | Cluster, role: string): void {
    let lost = false;
    connection.on('error', (error: Error) => {
      if (lost || this.closed) return;
      lost = true;
      this.logger.warn(`Redis ${role} connection failed: ${error.message}; retrying.`);
    });
    connection.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.logger.log(`Redis ${role} connection restored.`);
    });
  }

  /**
   * Fails fast while Redis is unreachable: queued commands are flushed with an error after one
   * reconnection attempt (the transport answers 503) and every command has a deadline.
   */
  private connectionOptions(overrides: RedisOptions | undefined): RedisOptions {
    return {
      maxRetriesPerRequest: 1,
      commandTimeout: this.options.commandTimeoutMs,
      connectTimeout: this.options.commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      ...overrides,
    };
  }
}

/** Closes a connection politely, or at once when Redis cannot be reached. */
async function quit(connection: Redis | Cluster): Promise<void> {
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
