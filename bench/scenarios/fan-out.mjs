// Fan-out: one `notifyAll` (notifications/resources/list_changed) raised in the server reaching
// every listener: half of them 2025 sessions on their GET stream, half 2026-07-28
// `subscriptions/listen` streams. Timed from the trigger request until the last listener has it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { inParallel, openGetStream, openListenStream, openSession, requestAgent, send, streamAgent } from '../client.mjs';
import { assertNoFailures, fail } from '../failures.mjs';
import { startRedis } from '../servers.mjs';
import { medianOf } from '../stats.mjs';
import { launch, ours } from '../targets.mjs';

const NOTIFICATION = 'notifications/resources/list_changed';
const OPEN_CONCURRENCY = 64;
const DELIVERY_TIMEOUT_MS = 30_000;

/** A listener: when it received each notification. */
const listener = () => {
  const received = [];
  return { received, onMessage: (data) => data.includes(NOTIFICATION) && received.push(performance.now()) };
};

async function allReceived(listeners, count) {
  const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
  while (listeners.some((entry) => entry.received.length < count)) {
    if (performance.now() > deadline) {
      const missing = listeners.filter((entry) => entry.received.length < count).length;
      throw new Error(
        `fan-out: ${missing} of ${listeners.length} listeners did not receive notification ${count} within ${DELIVERY_TIMEOUT_MS} ms`,
      );
    }
    await sleep(5);
  }
}

const lastAfter = (listeners, index, start) => Math.max(...listeners.map((entry) => entry.received[index])) - start;

export async function measureFanOut(config) {
  const results = [];
  for (const host of ['memory', 'redis']) {
    const target = ours({ adapter: 'fastify', host, notifier: true });
    process.stderr.write(`fan-out: ${target.name}\n`);
    const redis = host === 'redis' ? await startRedis() : undefined;
    const server = await launch(target, { redis });
    const posts = requestAgent();
    const sockets = streamAgent();
    const half = Math.floor(config.fanOutListeners / 2);
    const gets = Array.from({ length: half }, listener);
    const listens = Array.from({ length: config.fanOutListeners - half }, listener);
    const streams = [
      ...(await inParallel(gets.length, OPEN_CONCURRENCY, async (index) =>
        openGetStream(server.url, await openSession(server.url, { agent: posts }), { agent: sockets, onMessage: gets[index].onMessage }),
      )),
      ...(await inParallel(listens.length, OPEN_CONCURRENCY, (index) =>
        openListenStream(server.url, { agent: sockets, onMessage: listens[index].onMessage }),
      )),
    ];
    await sleep(config.settleMs);
    const rounds = [];
    for (let round = 0; round < config.rounds; round++) {
      const start = performance.now();
      const trigger = await send(`${server.origin}/bench/notify-all`, { headers: { 'content-type': 'application/json' }, body: '{}' });
      if (trigger.status !== 200) throw new Error(`the notify-all trigger answered ${trigger.status}`);
      const triggerMs = performance.now() - start;
      await allReceived([...gets, ...listens], round + 1);
      rounds.push({
        allMs: lastAfter([...gets, ...listens], round, start),
        getMs: lastAfter(gets, round, start),
        listenMs: lastAfter(listens, round, start),
        triggerMs,
      });
      await sleep(500);
    }
    const duplicates = [...gets, ...listens].filter((entry) => entry.received.length !== config.rounds).length;
    if (duplicates > 0) fail(`fan-out on ${target.name}: ${duplicates} listeners received a notification more than once`);
    assertNoFailures();
    for (const stream of streams) stream.close();
    sockets.destroy();
    posts.destroy();
    await server.stop();
    await redis?.stop();
    results.push({ label: target.name, host, getStreams: gets.length, listenStreams: listens.length, ...medianOf(rounds) });
  }
  return results;
}
