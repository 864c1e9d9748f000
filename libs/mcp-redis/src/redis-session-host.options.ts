import type { Cluster, Redis, RedisOptions } from 'ioredis';

/**
 * How wake-ups and node messages travel:
 * - `classic`: `PUBLISH`/`SUBSCRIBE` (Redis 6.2+, standalone or Cluster; in a Cluster every message
 *   is copied to every shard);
 * - `sharded`: `SPUBLISH`/`SSUBSCRIBE` (Redis 7+ Cluster): a session's wake-ups stay on its shard.
 */
export type RedisPubSubMode = 'classic' | 'sharded';

/** Options of {@link RedisSessionHost}. Give `url` or `client`, not both. */
export interface RedisSessionHostOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://...`; the host creates and closes its
   * connections. Default `redis://127.0.0.1:6379` when `client` is not given either.
   */
  url?: string;
  /**
   * An existing client (`Redis` or `Cluster`). It stays yours: the host never closes it, but does
   * close the subscriber connection it derives from it. Give it `maxRetriesPerRequest` and
   * `commandTimeout` (see docs/several-instances.md) so that an outage fails requests quickly instead of queueing them.
   */
  client?: Redis | Cluster;
  /** Extra ioredis options for the connections created from `url`. */
  redisOptions?: RedisOptions;
  /** Prepended to every key and channel, so several apps can share one Redis. Default `mcp:`. */
  keyPrefix?: string;
  /** Default `sharded` with a `Cluster` client, `classic` otherwise. */
  pubSub?: RedisPubSubMode;
  /**
   * Events kept per session stream (exactly: the newest ones); a replay from before them is refused
   * with `ReplayUnavailableError`. Default 1,000.
   */
  maxEventsPerStream?: number;
  /** Streams kept per session; beyond it the oldest finished stream is dropped (open ones never are). Default 64. */
  maxStreamsPerSession?: number;
  /** Largest value `putValue` accepts, in UTF-8 bytes. Default 64 KiB. */
  maxValueBytes?: number;
  /** Most values per session. Default 256. */
  maxValuesPerSession?: number;
  /**
   * A command that gets no answer within this time fails, and the request with it (503). Applies
   * to the connections the host creates. Default 2 s.
   */
  commandTimeoutMs?: number;
  /**
   * How often every live stream re-reads its log without a wake-up, as a safety net for wake-ups
   * lost without the subscriber connection dropping (which ends every stream, so clients resume).
   * Default 0: never; idle streams then cost Redis nothing, and a stream re-reads only when its
   * session would expire, which ends it if it did.
   */
  pollIntervalMs?: number;
  /** Events read per `XRANGE` while a stream catches up. Default 256. */
  readBatchSize?: number;
}

export type ResolvedRedisSessionHostOptions = Required<Omit<RedisSessionHostOptions, 'url' | 'client' | 'redisOptions'>>;

export function resolveRedisSessionHostOptions(options: RedisSessionHostOptions, cluster: boolean): ResolvedRedisSessionHostOptions {
  const resolved = {
    keyPrefix: options.keyPrefix ?? 'mcp:',
    pubSub: options.pubSub ?? (cluster ? 'sharded' : 'classic'),
    maxEventsPerStream: options.maxEventsPerStream ?? 1_000,
    maxStreamsPerSession: options.maxStreamsPerSession ?? 64,
    maxValueBytes: options.maxValueBytes ?? 64 * 1024,
    maxValuesPerSession: options.maxValuesPerSession ?? 256,
    commandTimeoutMs: options.commandTimeoutMs ?? 2_000,
    pollIntervalMs: options.pollIntervalMs ?? 0,
    readBatchSize: options.readBatchSize ?? 256,
  } satisfies ResolvedRedisSessionHostOptions;
  if (resolved.keyPrefix.includes('{') || resolved.keyPrefix.includes('}')) {
    throw new Error('RedisSessionHost: keyPrefix must not contain "{" or "}" (the session id is the hash tag).');
  }
  for (const name of ['maxEventsPerStream', 'maxStreamsPerSession', 'maxValuesPerSession', 'readBatchSize'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) throw new Error(`RedisSessionHost: ${name} must be a positive integer.`);
  }
  return resolved;
}
