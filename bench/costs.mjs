// Redis costs per operation, measured by the scenarios, and what they add up to for a large
// deployment under stated assumptions.

/** Assumptions of the extrapolation (printed with it). */
export const SCALE = { sessions: 1_000_000, instances: 100, callsPerSessionPerMinute: 6, sessionMinutes: 30 };

/** The Redis host's measured costs (Fastify rows; the adapter does not change what Redis does). */
export function redisCosts({ calls, instances, initialize, streams }) {
  const idle = streams?.find((row) => row.idle)?.idle;
  const last = streams?.find((row) => row.idle)?.points.at(-1);
  return {
    call: calls?.find((row) => row.key === 'ours-redis-fastify-2025'),
    modern: calls?.find((row) => row.key === 'ours-redis-fastify-2026'),
    instances,
    init: initialize?.find((row) => row.key === 'ours-redis-fastify'),
    /** Idle Redis work of one instance: without streams, then with each count of idle GET streams. */
    idle,
    /** What each idle stream adds (from the most streams, the strongest signal): commands and redis-server CPU seconds per second. */
    perStream: idle && perStream(idle[0], idle.at(-1)),
    connections: streams?.find((row) => row.idle)?.redisConnections,
    bytesPerSession: last?.redisBytesPerSession,
    kibPerSession: last?.kibPerSession,
    baselineKiB: streams?.find((row) => row.idle)?.baselineKiB,
  };
}

export const perStream = (without, withStreams) => ({
  commands: (withStreams.perSecond - without.perSecond) / withStreams.streams,
  cpu: (withStreams.cpuPerSecond - without.cpuPerSecond) / withStreams.streams,
});

/** The deployment of SCALE from the measured costs; undefined without the scenarios it needs. */
export function extrapolate(costs) {
  if (!costs.call || !costs.init || !costs.idle) return undefined;
  const sessionsPerInstance = SCALE.sessions / SCALE.instances;
  const callsPerSecond = (SCALE.sessions * SCALE.callsPerSessionPerMinute) / 60;
  const initsPerSecond = SCALE.sessions / (SCALE.sessionMinutes * 60);
  // Noise can make the idle difference slightly negative; no stream makes Redis do less.
  const perStream = { commands: Math.max(0, costs.perStream.commands), cpu: Math.max(0, costs.perStream.cpu) };
  const commands = {
    calls: callsPerSecond * costs.call.redisPerRequest,
    inits: initsPerSecond * costs.init.redisPerRequest,
    streams: SCALE.sessions * perStream.commands,
    instances: SCALE.instances * costs.idle[0].perSecond,
  };
  const cpu = {
    calls: (callsPerSecond * costs.call.redisMicrosPerRequest) / 1e6,
    inits: (initsPerSecond * costs.init.redisMicrosPerRequest) / 1e6,
    streams: SCALE.sessions * perStream.cpu,
    instances: SCALE.instances * costs.idle[0].cpuPerSecond,
  };
  const sum = (parts) => Object.values(parts).reduce((total, value) => total + value, 0);
  return {
    sessionsPerInstance,
    callsPerSecond,
    initsPerSecond,
    commands: { ...commands, total: sum(commands) },
    cpu: { ...cpu, total: sum(cpu) },
    connections: SCALE.instances * costs.connections,
    redisGiB: (SCALE.sessions * costs.bytesPerSession) / 2 ** 30,
    instanceMiB: (costs.baselineKiB + sessionsPerInstance * costs.kibPerSession) / 1024,
  };
}
