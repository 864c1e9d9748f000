/**
 * Names of the keys and channels of the Redis session host.
 *
 * Every key and channel of one session carries the session id as its hash tag, `<prefix>{<id>}:…`,
 * so that in a Redis Cluster they share one slot and each script touches one slot only. Suffixes
 * never contain `}` (stream ids are URI-encoded), so no two sessions can produce the same key.
 */
export class RedisKeys {
  /** Channel of broadcasts to every node. */
  readonly broadcast: string;

  constructor(private readonly prefix: string) {
    this.broadcast = `${prefix}broadcast`;
  }

  /** Hash: metadata (`m`), idle TTL (`i`), absolute end (`e`) and the session's values (`v:<key>`). */
  session(sessionId: string): string {
    return `${this.tag(sessionId)}:session`;
  }

  /** Sorted set of the session's stream ids, scored by creation time (oldest evicted first). */
  streams(sessionId: string): string {
    return `${this.tag(sessionId)}:streams`;
  }

  /** Prefix of the session's stream keys; the stream key is this plus the encoded stream id. */
  streamPrefix(sessionId: string): string {
    return `${this.tag(sessionId)}:s:`;
  }

  /** Redis Stream holding one session stream's events, with entry ids `<seq>-0`. */
  stream(sessionId: string, streamId: string): string {
    return this.streamPrefix(sessionId) + encodeURIComponent(streamId);
  }

  /** Channel announcing appends to the session's streams (`<streamId> <seq>`) and its end (empty message). */
  wake(sessionId: string): string {
    return `${this.tag(sessionId)}:wake`;
  }

  /** String key of one single-use claim (no session: it lands in any slot). */
  claim(key: string): string {
    return `${this.prefix}claim:${key}`;
  }

  /**
   * Sorted set of node leases, scored by when each ends (Redis time). It and the listening keys
   * share one hash tag, so a script reads them together in a Redis Cluster.
   */
  get leases(): string {
    return `${this.prefix}{nodes}:leases`;
  }

  /** Hash of the sessions whose GET stream a node holds: session id → node. */
  get listeningHeld(): string {
    return `${this.prefix}{nodes}:listening-held`;
  }

  /** Sorted set of sessions whose GET stream was released (or whose node died) lately, scored by when they stop counting. */
  get listening(): string {
    return `${this.prefix}{nodes}:listening`;
  }

  /** Hash of the unfinished streams a node owns: `<session id> <stream member>` → orphan payload. */
  owned(nodeId: string): string {
    return `${this.prefix}owned:${nodeId}`;
  }

  /** Set of one principal's session ids (`SessionMetadata.principal`). */
  sessionsOf(principal: string): string {
    return `${this.prefix}sessions-of:${principal}`;
  }

  /** JSON of one task (its id as hash tag, like a session's keys). */
  task(taskId: string): string {
    return `${this.prefix}task:{${taskId}}`;
  }

  /** Sorted set indexing one owner's tasks (`<createdAt>:<id>`, scored by expiry). */
  tasksOf(owner: string): string {
    return `${this.prefix}tasks-of:${owner}`;
  }

  /** Hash of the tasks running now: task id → the node running it. */
  get runningTasks(): string {
    return `${this.prefix}running-tasks`;
  }

  /** Channel of one node's inbox. */
  inbox(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  /** Redis Stream keeping the recent messages of a node channel (inbox or broadcast) for catching up. */
  messageLog(channel: string): string {
    return `${channel}:log`;
  }

  /** The session id a wake channel belongs to, or `undefined` for other channels. */
  sessionOfWake(channel: string): string | undefined {
    if (!channel.startsWith(`${this.prefix}{`) || !channel.endsWith('}:wake')) return undefined;
    return channel.slice(this.prefix.length + 1, -'}:wake'.length);
  }

  private tag(sessionId: string): string {
    return `${this.prefix}{${sessionId}}`;
  }
}
