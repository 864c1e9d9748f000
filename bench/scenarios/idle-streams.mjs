// Idle sessions holding an open GET stream: the server's RSS (from /proc) and live heap, after a
// full garbage collection, per session at each count, whether every stream stays open, and on the Redis host what the idle streams cost Redis
// (commands per second with and without them, memory, connections).
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteSession, inParallel, openGetStream, openSession, requestAgent, streamAgent } from '../client.mjs';
import { assertNoFailures } from '../failures.mjs';
import { commandDelta, startRedis, totalCommands } from '../servers.mjs';
import { floors, launch, ours, peers } from '../targets.mjs';

const STREAM_TARGETS = [
  { key: 'floor-http', target: floors.streams },
  { key: 'sdk-v1', target: peers.sdkV1 },
  ...['memory', 'redis'].flatMap((host) =>
    ['express', 'fastify'].map((adapter) => ({ key: `ours-${host}-${adapter}`, target: ours({ adapter, host }) })),
  ),
];
/** The one target whose idle Redis traffic is measured (the adapter makes no difference to it). */
const IDLE_REDIS_TARGET = 'ours-redis-fastify';
const OPEN_CONCURRENCY = 64;
const WARM_UP_SESSIONS = 100;

/** What the JS heap holds, and memory outside it that JS objects own (buffers), in KiB. */
const heapKiB = (usage) => (usage.heapUsed + usage.external) / 1024;

/** Redis commands and redis-server CPU per second over `seconds` of doing nothing. */
async function idleRedisWork(redis, seconds) {
  const before = { calls: await redis.commandCalls(), cpu: redis.cpuSeconds() };
  await sleep(seconds * 1000);
  const delta = commandDelta(before.calls, await redis.commandCalls());
  return { perSecond: totalCommands(delta) / seconds, cpuPerSecond: (redis.cpuSeconds() - before.cpu) / seconds, commands: delta };
}

export async function measureIdleStreams(config) {
  const results = [];
  for (const { key, target } of STREAM_TARGETS) {
    process.stderr.write(`idle GET streams: ${target.name}\n`);
    const redis = target.host === 'redis' ? await startRedis() : undefined;
    const server = await launch(target, { redis, gc: true });
    const posts = requestAgent();
    const sockets = streamAgent();
    const streams = [];
    const openStreams = (count) =>
      inParallel(count, OPEN_CONCURRENCY, async () => {
        const sessionId = await openSession(server.url, { agent: posts });
        streams.push(await openGetStream(server.url, sessionId, { agent: sockets }));
        return sessionId;
      });

    // Warm-up (JIT, pools), then gone again: the baseline is a warm process without sessions.
    const warm = await openStreams(WARM_UP_SESSIONS);
    for (const stream of streams.splice(0)) stream.close();
    await inParallel(warm.length, OPEN_CONCURRENCY, (index) => deleteSession(server.url, warm[index], { agent: posts }));
    await sleep(config.settleMs);
    const heap = await server.collectGarbage();
    const baseline = {
      rssKiB: server.rssKiB(),
      heapKiB: heapKiB(heap),
      redisBytes: redis && Number((await redis.info('memory')).get('used_memory')),
    };
    const result = { key, label: target.name, ours: Boolean(target.ours), host: target.host, baselineKiB: baseline.rssKiB, points: [] };
    const measureIdle = redis && key === IDLE_REDIS_TARGET;
    if (measureIdle) result.idle = [{ streams: 0, ...(await idleRedisWork(redis, config.idleSeconds)) }];

    for (const count of config.streamCounts) {
      await openStreams(count - streams.length);
      await sleep(config.settleMs);
      const heapNow = heapKiB(await server.collectGarbage());
      const point = {
        count,
        kibPerSession: (server.rssKiB() - baseline.rssKiB) / count,
        heapKibPerSession: (heapNow - baseline.heapKiB) / count,
      };
      if (redis) point.redisBytesPerSession = (Number((await redis.info('memory')).get('used_memory')) - baseline.redisBytes) / count;
      result.points.push(point);
      if (measureIdle) result.idle.push({ streams: count, ...(await idleRedisWork(redis, config.idleSeconds)) });
    }
    result.openStreams = streams.filter((stream) => !stream.closed).length;
    // Clients of the redis-server besides the redis-cli asking.
    if (redis) result.redisConnections = Number((await redis.info('clients')).get('connected_clients')) - 1;
    assertNoFailures();
    for (const stream of streams) stream.close();
    sockets.destroy();
    posts.destroy();
    await server.stop();
    await redis?.stop();
    results.push(result);
  }
  return results;
}
