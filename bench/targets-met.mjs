// Issue 12's targets, each checked against a full run's figures.
import { perStream, redisCosts } from './costs.mjs';

const times = (value, base) => value / base;
const pct = (value) => `${(value * 100).toFixed(0)}%`;
const x = (value) => `${value.toFixed(2)}×`;
const n = (value) => Math.round(value).toLocaleString('en-US');

export function evaluateTargets(results) {
  const targets = [];
  const check = (name, measured, met) => targets.push({ name, measured, met });
  const call = Object.fromEntries((results.calls ?? []).map((row) => [row.key, row]));

  if (results.calls) {
    const fastify = call['ours-memory-fastify-2025'];
    const express = call['ours-memory-express-2025'];
    const modern = call['ours-memory-fastify-2026'];
    const floorFastify = call['floor-fastify'].perSecond;
    const toFloor = times(fastify.perSecond, floorFastify);
    check(
      'tools/call, memory host, Fastify: ≥ 60% of the Nest-on-Fastify floor',
      `${n(fastify.perSecond)} req/s = ${pct(toFloor)}`,
      toFloor >= 0.6,
    );
    const toSdk = times(fastify.perSecond, call['sdk-v1'].perSecond);
    check('tools/call, memory host, Fastify: ≥ 6× SDK v1', x(toSdk), toSdk >= 6);
    check(
      'tools/call, memory host, Fastify: p99 ≤ 5 ms at 32 connections',
      `${fastify.p99} ms at ${results.config.connections}`,
      fastify.p99 <= 5 && results.config.connections === 32,
    );
    const expressToFloor = times(express.perSecond, call['floor-express'].perSecond);
    check(
      'tools/call, memory host, Express: ≥ 90% of the Nest-on-Express floor',
      `${n(express.perSecond)} req/s = ${pct(expressToFloor)}`,
      expressToFloor >= 0.9,
    );
    const modernToFloor = times(modern.perSecond, floorFastify);
    check(
      '2026-07-28 stateless tools/call (memory, Fastify): ≥ 70% of the Nest-on-Fastify floor',
      `${n(modern.perSecond)} req/s = ${pct(modernToFloor)}`,
      modernToFloor >= 0.7,
    );
    for (const [key, name] of [
      ['sdk-v2', 'SDK v2 createMcpHandler'],
      ['rekog-2026', '@rekog/mcp-nest'],
    ]) {
      const ahead = times(modern.perSecond, call[key].perSecond);
      check(
        `2026-07-28 stateless tools/call (memory, Fastify): ahead of ${name} on Fastify`,
        `${x(ahead)} (${n(call[key].perSecond)} req/s)`,
        ahead > 1,
      );
    }
    for (const era of ['2025', '2026']) {
      for (const adapter of ['express', 'fastify']) {
        const share = times(call[`ours-redis-${adapter}-${era}`].perSecond, call[`ours-memory-${adapter}-${era}`].perSecond);
        check(
          `Redis host ≥ 85% of memory host, ${adapter === 'express' ? 'Express' : 'Fastify'}, ${era === '2025' ? '2025 session' : '2026 stateless'}`,
          pct(share),
          share >= 0.85,
        );
      }
    }
  }

  const streamFloor = (results.streams ?? []).find((row) => row.key === 'floor-http');
  for (const row of (results.streams ?? []).filter((candidate) => candidate.ours)) {
    // RSS grows in steps (heap pages, allocator arenas), so at 1,000 sessions its growth may hide
    // what they hold: a session also counts at least the live heap it keeps.
    for (const point of row.points) {
      const floor = streamFloor?.points.find((candidate) => candidate.count === point.count);
      check(
        `≤ 8 KiB RSS per idle session with an open GET stream, ${row.label}, ${n(point.count)} sessions`,
        `${point.kibPerSession.toFixed(1)} KiB (live heap ${point.heapKibPerSession.toFixed(1)} KiB)` +
          (floor ? `; bare node:http: ${floor.kibPerSession.toFixed(1)} KiB (heap ${floor.heapKibPerSession.toFixed(1)} KiB)` : ''),
        Math.max(point.kibPerSession, point.heapKibPerSession) <= 8,
      );
    }
    const wanted = row.points.at(-1).count;
    check(
      `${n(wanted)} open streams on one process, ${row.label}`,
      `${n(row.openStreams)} open`,
      row.openStreams >= 10_000 && row.openStreams === wanted,
    );
  }

  for (const row of results.fanOut ?? []) {
    const listeners = row.getStreams + row.listenStreams;
    check(
      `fan-out to 10,000 listeners within 1 s, ${row.label}`,
      `${n(row.allMs)} ms to ${n(listeners)}`,
      row.allMs <= 1000 && listeners >= 10_000,
    );
  }

  const sdkInit = results.initialize?.find((row) => row.key === 'sdk-v1');
  for (const row of (results.initialize ?? []).filter((candidate) => candidate.ours)) {
    const share = times(row.perSecond, sdkInit.perSecond);
    check(`initialize rate ≥ 5× SDK v1, ${row.label}`, `${n(row.perSecond)}/s = ${x(share)}`, share >= 5);
  }

  const costs = redisCosts(results);
  for (const row of [call['ours-redis-express-2025'], call['ours-redis-fastify-2025'], results.instances].filter(Boolean)) {
    check(`≤ 2 Redis commands per tools/call on an open session, ${row.label}`, row.redisPerRequest.toFixed(2), row.redisPerRequest <= 2);
  }
  if (costs.idle) {
    // Idle instances do fixed work (lease, sweep, listening marks); per-stream work grows with the streams.
    const [without, ...withStreams] = costs.idle;
    for (const point of withStreams) {
      const added = point.perSecond - without.perSecond;
      check(
        `no per-stream Redis work while streams are idle, ${n(point.streams)} streams`,
        `they add ${added.toFixed(2)} commands/s (${(perStream(without, point).commands * 60).toFixed(2)} per stream per minute)`,
        added < 1,
      );
    }
  }
  return targets;
}
