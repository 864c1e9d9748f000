import type { Observable } from 'rxjs';
import type { ClientCapabilities, Implementation, LoggingLevel } from '../protocol/mcp.types.js';

/**
 * Everything any node needs to rebuild a session. Stored by the {@link SessionHost}; nodes keep no
 * session state of their own that another node could not reconstruct from this.
 */
export interface SessionMetadata {
  /** Random, unguessable, visible ASCII (MCP 2025-11-25 `basic/transports`, "Session Management"). */
  id: string;
  /** Key of the principal that created the session; every later request must present the same one. */
  principal: string;
  /** Revision negotiated at `initialize`. */
  protocolVersion: string;
  clientInfo?: Implementation;
  clientCapabilities: ClientCapabilities;
  /** Set once the client sent `notifications/initialized`. */
  initialized: boolean;
  /** Minimum level of `notifications/message` the client asked for with `logging/setLevel`. */
  logLevel?: LoggingLevel;
  /** Epoch milliseconds. */
  createdAt: number;
  /** The session expires after this long without a request (sliding). */
  idleTtlMs: number;
  /** The session expires this long after `createdAt`, however active it is. */
  maxLifetimeMs: number;
  /** Room for features that keep per-session state (subscriptions, ...). JSON-serializable. */
  attributes: Record<string, unknown>;
}

/** One entry of a session stream's log. `seq` starts at 1 and grows by one per append. */
export interface SessionEvent {
  seq: number;
  /** The serialized JSON-RPC message, exactly as it is written to the client. */
  payload: string;
  /** The last event of a stream that ends (a POST stream after its response). */
  final: boolean;
}

export interface StreamInfo {
  firstSeq: number;
  lastSeq: number;
  finished: boolean;
  /** The node writing the stream, while it is unfinished and was opened with an owner. */
  owner?: string;
}

/**
 * Who writes a stream, recorded by the append that creates it: the node, and the final event any
 * node writes in its place if the node's lease lapses before the stream ends (an error saying the
 * instance serving the request stopped). Opaque to the host.
 */
export interface StreamOwner {
  nodeId: string;
  orphanPayload: string;
}

/** Messages between nodes. Hosts treat them as opaque JSON values. */
export type NodeMessage = { type: string; sessionId?: string } & Record<string, unknown>;

export type NodeMessageHandler = (message: NodeMessage) => void;

/**
 * Sessions: their metadata and lifetime. Every operation is scoped to one session, so a
 * distributed host can keep all keys of a session together (one hash tag in Redis Cluster).
 */
export interface SessionStore {
  /**
   * Stores a new session. Rejects with `SessionExistsError` when the id is taken and with
   * `SessionLimitError` when the host is full.
   */
  createSession(metadata: SessionMetadata): Promise<void>;

  /** The session, or `undefined` when it never existed, expired or was deleted. Callers never modify it. */
  getSession(sessionId: string): Promise<SessionMetadata | undefined>;

  /**
   * Atomically replaces the metadata with `update(current)` (compare-and-set: a concurrent change
   * makes the host call `update` again with the newer value). Refreshes the idle TTL. Resolves to
   * the stored value, or `undefined` when the session is gone.
   */
  mutateSession(sessionId: string, update: (current: SessionMetadata) => SessionMetadata): Promise<SessionMetadata | undefined>;

  /**
   * Restarts the idle TTL, never beyond `createdAt + maxLifetimeMs`. Resolves to `false` when the
   * session is gone. Callers debounce it; hosts need not.
   */
  touchSession(sessionId: string): Promise<boolean>;

  /** Deletes metadata, logs and values, and ends every live stream of the session. Idempotent. */
  deleteSession(sessionId: string): Promise<boolean>;

  /**
   * The live sessions of one principal (`SessionMetadata.principal`), with when each was last
   * active (created, touched or changed): from an index the host keeps as sessions are created, so
   * ending or listing a principal's sessions never scans the keyspace. Ended and expired sessions
   * are left out, and dropped from the index.
   */
  sessionsOf(principal: string): Promise<PrincipalSession[]>;

  /** Sessions this host saw expire (optional: hosts that cannot observe expiry omit it). */
  readonly expired$?: Observable<string>;

  /**
   * Only for hosts shared by several processes (a process's own memory host leaves it out):
   * whether this process reaches the host now, and a number that changes whenever it lost the
   * host (broadcasts may have been missed, data may be gone). A node keeps copies of the sessions it
   * serves only while connected and within one epoch (docs/architecture.md, "Session cache").
   */
  readonly connection?: HostConnection;
}

/** One of a principal's sessions (see {@link SessionStore.sessionsOf}). */
export interface PrincipalSession {
  session: SessionMetadata;
  /** Epoch milliseconds (hosts may round it to how often sessions are touched). */
  lastActiveAt: number;
}

/** See {@link SessionStore.connection}. */
export interface HostConnection {
  readonly connected: boolean;
  readonly epoch: number;
}

/** Stream logs: the events of each SSE stream of a session, replayable with `Last-Event-ID`. */
export interface StreamLogStore {
  /**
   * Appends one event to a stream of the session and resolves to its sequence number; to 0 when
   * the session no longer exists and to -1 when the stream already ended (nothing is stored
   * either way). A stream ends with its `final` event, so of two nodes racing to end it exactly one
   * succeeds. Streams are created by their first append, which records `owner` when given (see
   * {@link NodeLeases}). Retention per stream is bounded by the host.
   */
  appendEvent(sessionId: string, streamId: string, payload: string, final?: boolean, owner?: StreamOwner): Promise<number>;

  /**
   * Where a stream stands: the first retained and the last appended sequence numbers, and whether
   * it ended. `undefined` when the stream has no events (never written, or dropped by retention).
   */
  streamInfo(sessionId: string, streamId: string): Promise<StreamInfo | undefined>;

  /**
   * The events of one stream after `afterSeq`, then live ones as they are appended. Completes after
   * an event marked `final` and when the session ends. Errors with `ReplayUnavailableError` when
   * retention already dropped part of the requested range: replay is exact or refused, never
   * partial. `afterSeq = 0` on a stream without events waits for its first event.
   */
  streamEvents(sessionId: string, streamId: string, afterSeq: number): Observable<SessionEvent>;
}

/** Node messages: how instances reach each other (cancellations, client answers, notifications). */
export interface NodeMessaging {
  /** Delivers a message to the subscribers of one node's inbox (point to point). */
  publish(nodeId: string, message: NodeMessage): Promise<void>;

  /** Delivers a message to every node (rare control traffic only: cancel, delete, list changed). */
  broadcast(message: NodeMessage): Promise<void>;

  /**
   * Receives the messages published to `nodeId` and every broadcast. Resolves once armed, to a
   * function that stops the subscription.
   */
  subscribe(nodeId: string, handler: NodeMessageHandler): Promise<() => Promise<void>>;
}

/** Values: small strings kept with a session, gone with it. */
export interface SessionValues {
  /** Stores a small value with the session (size limit enforced: `SessionValueLimitError`). */
  putValue(sessionId: string, key: string, value: string): Promise<void>;

  /** The stored value, or `undefined` when absent (an empty string is a value). */
  getValue(sessionId: string, key: string): Promise<string | undefined>;

  deleteValue(sessionId: string, key: string): Promise<void>;
}

/**
 * Listening sessions: which sessions read their standalone (GET) stream now or did recently, so a
 * notification for them is logged even while their client reconnects to another node, and the
 * resumed stream delivers it (docs/architecture.md, "Notifications to sessions"). A session is
 * listed through the node holding its stream for as long as that node's lease lasts (see
 * {@link NodeLeases}): idle streams cost the host nothing.
 */
export interface ListeningSessions {
  /** `nodeId` holds the sessions' GET streams now (one call for many sessions). */
  holdListening(nodeId: string, sessionIds: readonly string[]): Promise<void>;

  /**
   * `nodeId` no longer holds them: they stay listed for `lingerMs` (their client may be
   * reconnecting to another node). A session another node holds now stays listed through it.
   */
  releaseListening(nodeId: string, sessionIds: readonly string[], lingerMs: number): Promise<void>;

  /**
   * Sessions held by a node whose lease lasts, or released less than their linger ago; those of a
   * node whose lease lapsed linger `lingerMs` from then. What no longer counts is dropped.
   */
  listeningSessions(lingerMs: number): Promise<string[]>;
}

/**
 * Node leases: which nodes are alive, so that a stream whose writer died is ended by another node
 * instead of leaving its client waiting (docs/architecture.md, "Instance death and shutdown").
 */
export interface NodeLeases {
  /** Keeps `nodeId` alive for `ttlMs` from now. A node renews its lease before it owns a stream. */
  renewLease(nodeId: string, ttlMs: number): Promise<void>;

  /** Ends the lease at once (the node is stopping); unfinished streams it owns become orphans. */
  dropLease(nodeId: string): Promise<void>;

  /** Whether `nodeId` holds an unexpired lease. */
  hasLease(nodeId: string): Promise<boolean>;

  /**
   * Ends every unfinished stream whose owner's lease lapsed, with the payload recorded for it as
   * its final event, and forgets those nodes. Several nodes may call it at once: each stream ends
   * once. Resolves to the number of streams this call ended.
   */
  finishOrphanedStreams(): Promise<number>;
}

/**
 * Single-use claims, independent of sessions: how every instance agrees that something happens
 * at most once (a 2026-07-28 `requestState` is redeemed once, whichever instance the retry reaches).
 */
export interface SingleUseClaims {
  /**
   * Records `key` for `ttlMs` and resolves to `true`, or to `false` when it is already recorded.
   * Atomic across every node sharing the host. Hosts bound how many claims they keep.
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * A task as the host keeps it: the few fields the host indexes, and the task's own state as an
 * opaque JSON string (status, result, questions to the client: the host never reads it).
 */
export interface StoredTask {
  /** Unguessable id (MCP tasks are bearer-like handles). */
  id: string;
  /** Who may see the task (a principal, with the session in 2025): the key of listing and of the per-owner limit. */
  owner: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds after which the host forgets the task. */
  expiresAt: number;
  /**
   * The node running the task, while it runs. A running task whose node's lease lapsed is an orphan
   * (see {@link TaskStore.orphanedTasks}).
   */
  runner?: string;
  /** The task's state, as JSON; opaque to the host. */
  state: string;
}

/**
 * Tasks: long-running work any node can look up, list, wait for and cancel, whichever node runs it
 * (docs/architecture.md, "Tasks").
 */
export interface TaskStore {
  /**
   * Stores a new task. Rejects with `TaskLimitError` when `task.owner` already has `maxPerOwner`
   * unexpired tasks, or the host holds as many tasks as it may.
   */
  createTask(task: StoredTask, maxPerOwner: number): Promise<void>;

  /** The task, or `undefined` when it never existed or expired. Callers never modify it. */
  getTask(taskId: string): Promise<StoredTask | undefined>;

  /**
   * Atomically replaces the task with `update(current)` (compare-and-set, as `mutateSession`);
   * `id`, `owner` and `createdAt` cannot change, and an `update` that returns `current` itself
   * writes nothing. Resolves to the stored task, or `undefined` when it is gone.
   */
  updateTask(taskId: string, update: (current: StoredTask) => StoredTask): Promise<StoredTask | undefined>;

  /** One page of the owner's unexpired tasks, oldest first; `after` is the `next` of the previous page. */
  listTasks(owner: string, page: { after?: string; limit: number }): Promise<{ tasks: StoredTask[]; next?: string }>;

  /** Tasks with a `runner` whose lease lapsed (see {@link NodeLeases}): their node died or stopped. */
  orphanedTasks(): Promise<StoredTask[]>;
}

/**
 * The only state shared between nodes, grouped by concern. A memory host serves one process; a
 * distributed host (Redis) lets any node serve any request of any session. Hosts never interpret
 * MCP messages. The contract suite of `@nest-mcp/mcp/testing` has one section per concern.
 */
export interface SessionHost
  extends SessionStore, StreamLogStore, ListeningSessions, NodeMessaging, NodeLeases, SessionValues, SingleUseClaims, TaskStore {
  /** Releases timers and connections the host owns. */
  close?(): Promise<void>;
}

/** Injection token of the {@link SessionHost} in use (pairs with the interface, like `ThrottlerStorage`). */
export const SessionHost = Symbol.for('@nest-mcp/mcp:SessionHost');

export type { LoggingLevel };
