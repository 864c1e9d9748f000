// New sessions: a fixed number of `initialize` requests, each making a session, on a fresh process
// per round (the memory host holds at most 10,000 sessions, and the SDK keeps every one).
import { INITIALIZE_MARK, initializeRequest, verify } from '../client.mjs';
import { assertNoFailures } from '../failures.mjs';
import { load } from '../load.mjs';
import { startRedis } from '../servers.mjs';
import { medianOf } from '../stats.mjs';
import { launch, ours, peers } from '../targets.mjs';
import { redisCost, redisSnapshot } from './calls.mjs';

const INIT_TARGETS = [
  { key: 'sdk-v1', target: peers.sdkV1 },
  { key: 'rekog', target: peers.rekog },
  ...['memory', 'redis'].flatMap((host) =>
    ['express', 'fastify'].map((adapter) => ({ key: `ours-${host}-${adapter}`, target: ours({ adapter, host }) })),
  ),
];

export async function measureInitialize(config) {
  const redis = await startRedis();
  const rows = INIT_TARGETS.map((row) => ({ ...row, label: row.target.name, rounds: [], commands: {} }));
  const request = initializeRequest();
  for (let round = 1; round <= config.rounds; round++) {
    for (const row of rows) {
      process.stderr.write(`initialize round ${round}/${config.rounds}: ${row.label}\n`);
      const uses = row.target.host === 'redis';
      if (uses) await redis.cli('FLUSHALL');
      const server = await launch(row.target, { redis });
      await verify(row.label, server.url, request, INITIALIZE_MARK);
      const options = { connections: config.connections, mark: INITIALIZE_MARK };
      await load(row.label, server.url, request, { ...options, amount: config.initWarmup });
      const before = uses && (await redisSnapshot(redis));
      const measured = await load(row.label, server.url, request, { ...options, amount: config.initCount });
      if (uses) Object.assign(measured, redisCost(row, before, await redisSnapshot(redis), measured.requests));
      await server.stop();
      row.rounds.push(measured);
      assertNoFailures();
    }
  }
  await redis.stop();
  return rows.map(({ key, label, target, rounds }) => ({ key, label, host: target.host, ours: Boolean(target.ours), ...medianOf(rounds) }));
}
