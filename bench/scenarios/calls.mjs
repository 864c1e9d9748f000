// `tools/call` of `echo` under load: the floors, the peers and ours, one process each, all running
// at once; rounds are interleaved (round 1 of every row, then round 2, ...) so that drift on the
// machine spreads over all rows. Each Redis-hosted target has its own redis-server, whose
// command counts and CPU time are then that target's alone.
import { ECHO_MARK, echoRequest, inParallel, openSession, verify } from '../client.mjs';
import { assertNoFailures } from '../failures.mjs';
import { load, warmUp } from '../load.mjs';
import { commandDelta, startRedis, totalCommands } from '../servers.mjs';
import { medianOf, spread } from '../stats.mjs';
import { floors, launch, ours, peers } from '../targets.mjs';

const oursTargets = {};
for (const host of ['memory', 'redis']) {
  for (const adapter of ['express', 'fastify']) oursTargets[`${host}-${adapter}`] = ours({ adapter, host });
}
const withAuth = ours({ adapter: 'fastify', host: 'memory', auth: true });

/** Rows of the table, in order: `era` is `plain` (floors), `2025` (open session) or `2026` (stateless). */
export const CALL_ROWS = [
  { key: 'floor-http', group: 'floor', target: floors.http, era: 'plain' },
  { key: 'floor-express', group: 'floor', target: floors.express, era: 'plain' },
  { key: 'floor-fastify', group: 'floor', target: floors.fastify, era: 'plain' },
  { key: 'sdk-v1', group: 'peer', target: peers.sdkV1, era: '2025' },
  { key: 'rekog-2025', group: 'peer', target: peers.rekog, era: '2025' },
  { key: 'sdk-v2', group: 'peer', target: peers.sdkV2, era: '2026' },
  { key: 'rekog-2026', group: 'peer', target: peers.rekog, era: '2026' },
  ...['2025', '2026'].flatMap((era) =>
    ['memory', 'redis'].flatMap((host) =>
      ['express', 'fastify'].map((adapter) => ({
        key: `ours-${host}-${adapter}-${era}`,
        group: 'ours',
        target: oursTargets[`${host}-${adapter}`],
        era,
      })),
    ),
  ),
  { key: 'ours-memory-fastify-2025-auth', group: 'ours', target: withAuth, era: '2025' },
];

export const ERA_LABELS = { plain: '', 2025: '2025 session', 2026: '2026-07-28 stateless' };
export const rowLabel = (row) => [row.target.name, ERA_LABELS[row.era]].filter(Boolean).join(' · ');

export async function measureCalls(config, issuer) {
  const targets = [...new Set(CALL_ROWS.map((row) => row.target))];
  const redisOf = new Map();
  for (const target of targets.filter((candidate) => candidate.host === 'redis')) redisOf.set(target, await startRedis());
  const servers = new Map();
  await inParallel(targets.length, 3, async (index) => {
    const target = targets[index];
    servers.set(target, await launch(target, { redis: redisOf.get(target), issuer }));
  });

  const rows = [];
  for (const row of CALL_ROWS) {
    const server = servers.get(row.target);
    const token = row.target.auth ? issuer.token : undefined;
    const sessionId = row.era === '2025' ? await openSession(server.url, { token }) : undefined;
    const request = echoRequest(row.era, { sessionId, token });
    await verify(rowLabel(row), server.url, request, ECHO_MARK);
    const amount = await warmUp(rowLabel(row), server.url, request, config, ECHO_MARK);
    rows.push({ ...row, label: rowLabel(row), server, request, amount, redis: redisOf.get(row.target), rounds: [], commands: {} });
  }

  for (let round = 1; round <= config.rounds; round++) {
    for (const row of rows) {
      process.stderr.write(`tools/call round ${round}/${config.rounds}: ${row.label}\n`);
      const before = row.redis && (await redisSnapshot(row.redis));
      const measured = await load(row.label, row.server.url, row.request, {
        connections: config.connections,
        amount: row.amount,
        mark: ECHO_MARK,
      });
      if (row.redis) Object.assign(measured, redisCost(row, before, await redisSnapshot(row.redis), measured.requests));
      row.rounds.push(measured);
      assertNoFailures();
    }
  }
  await Promise.all([...servers.values()].map((server) => server.stop()));
  await Promise.all([...redisOf.values()].map((redis) => redis.stop()));
  return rows.map(({ key, group, era, label, target, rounds, commands }) => ({
    key,
    group,
    era,
    label,
    adapter: target.adapter,
    host: target.host,
    ...medianOf(rounds),
    spread: spread(rounds.map((round) => round.perSecond)),
    ...(Object.keys(commands).length > 0 && { commandsPerCall: perRequest(commands, rounds) }),
  }));
}

export const redisSnapshot = async (redis) => ({ calls: await redis.commandCalls(), cpu: redis.cpuSeconds() });

/** Redis commands and Redis CPU time per request between two snapshots; adds to `row.commands`. */
export function redisCost(row, before, after, requests) {
  const delta = commandDelta(before.calls, after.calls);
  for (const [command, count] of Object.entries(delta)) row.commands[command] = (row.commands[command] ?? 0) + count;
  return { redisPerRequest: totalCommands(delta) / requests, redisMicrosPerRequest: ((after.cpu - before.cpu) * 1e6) / requests };
}

/** Commands per request by name, over all rounds. */
export function perRequest(commands, rounds) {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  return Object.fromEntries(Object.entries(commands).map(([command, count]) => [command, count / requests]));
}
