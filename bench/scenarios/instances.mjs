// Three instances of the sample on one Redis, behind a round-robin client: three loads at once,
// each on a session created on another instance than the one it calls, so that every call is
// served from the shared host and not from where the session started.
import { ECHO_MARK, echoRequest, openSession, verify } from '../client.mjs';
import { assertNoFailures } from '../failures.mjs';
import { load, warmUp } from '../load.mjs';
import { startRedis } from '../servers.mjs';
import { medianOf, spread } from '../stats.mjs';
import { launch, ours } from '../targets.mjs';
import { perRequest, redisCost, redisSnapshot } from './calls.mjs';

export const INSTANCES = 3;

export async function measureInstances(config) {
  const target = ours({ adapter: 'fastify', host: 'redis' });
  const redis = await startRedis();
  const servers = await Promise.all(
    Array.from({ length: INSTANCES }, (_, index) => launch(target, { redis, name: `${target.name} #${index + 1}` })),
  );
  const legs = [];
  for (const [index, origin] of servers.entries()) {
    const called = servers[(index + 1) % INSTANCES];
    const request = echoRequest('2025', { sessionId: await openSession(origin.url) });
    const label = `session from ${origin.name}, called on ${called.name}`;
    await verify(label, called.url, request, ECHO_MARK);
    legs.push({ label, url: called.url, request });
  }
  const connections = Math.ceil(config.connections / INSTANCES);
  const amounts = await Promise.all(legs.map((leg) => warmUp(leg.label, leg.url, leg.request, { ...config, connections }, ECHO_MARK)));
  const loadAll = () =>
    Promise.all(legs.map((leg, index) => load(leg.label, leg.url, leg.request, { connections, amount: amounts[index], mark: ECHO_MARK })));
  const row = { commands: {}, rounds: [] };
  for (let round = 1; round <= config.rounds; round++) {
    process.stderr.write(`tools/call round ${round}/${config.rounds}: ${INSTANCES} instances on Redis\n`);
    const before = await redisSnapshot(redis);
    const results = await loadAll();
    const requests = results.reduce((sum, result) => sum + result.requests, 0);
    row.rounds.push({
      requests,
      perSecond: results.reduce((sum, result) => sum + result.perSecond, 0),
      // The slowest instance's percentiles.
      p50: Math.max(...results.map((result) => result.p50)),
      p99: Math.max(...results.map((result) => result.p99)),
      ...redisCost(row, before, await redisSnapshot(redis), requests),
    });
    assertNoFailures();
  }
  await Promise.all(servers.map((server) => server.stop()));
  await redis.stop();
  return {
    label: `nest-mcp, Redis, Fastify × ${INSTANCES} instances · 2025 session, called on another instance`,
    connectionsPerInstance: connections,
    ...medianOf(row.rounds),
    spread: spread(row.rounds.map((round) => round.perSecond)),
    commandsPerCall: perRequest(row.commands, row.rounds),
  };
}
