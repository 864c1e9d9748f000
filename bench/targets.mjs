// The servers a run compares: floors (no MCP), peers (other MCP servers with the same `echo`
// tool) and ours (the sample, apps/sample, in each configuration).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startServer } from './servers.mjs';

export const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

const NAMES = { express: 'Express', fastify: 'Fastify', memory: 'memory', redis: 'Redis' };

export const floors = {
  http: { name: 'node:http', script: 'bench/peers/floor-http.mjs', adapter: 'node:http' },
  streams: { name: 'node:http holding SSE responses', script: 'bench/peers/floor-streams.mjs', adapter: 'node:http' },
  express: { name: 'Nest controller, Express', script: 'bench/peers/floor-nest.mjs', env: { MCP_ADAPTER: 'express' }, adapter: 'express' },
  fastify: { name: 'Nest controller, Fastify', script: 'bench/peers/floor-nest.mjs', env: { MCP_ADAPTER: 'fastify' }, adapter: 'fastify' },
};

export const peers = {
  sdkV1: {
    name: `SDK v1 ${versionOf('@modelcontextprotocol/sdk')} stateful, Express`,
    script: 'bench/peers/sdk-v1.mjs',
    adapter: 'express',
  },
  sdkV2: {
    name: `SDK v2 ${versionOf('@modelcontextprotocol/server')} createMcpHandler, Fastify`,
    script: 'bench/peers/sdk-v2.mjs',
    adapter: 'fastify',
  },
  rekog: {
    name: `@rekog/mcp-nest ${versionOf('@rekog/mcp-nest')}, Nest Fastify`,
    script: 'bench/peers/rekog.mjs',
    env: { MCP_ADAPTER: 'fastify' },
    adapter: 'fastify',
  },
};

// Required in production when 2026-07-28 is served; the same on every instance of a run.
const requestStateSecret = randomBytes(32).toString('base64');

/**
 * The sample on `adapter` with the memory or Redis session host, optionally with JWT auth; with
 * `notifier`, the bench's variant of it that can raise a notifyAll (bench/peers/nest-mcp-notify.mjs).
 */
export function ours({ adapter, host, auth = false, notifier = false }) {
  return {
    name: `nest-mcp, ${NAMES[host]}, ${NAMES[adapter]}${auth ? ', JWT auth' : ''}`,
    script: notifier ? 'bench/peers/nest-mcp-notify.mjs' : 'apps/sample/dist/main.js',
    env: { MCP_ADAPTER: adapter, MCP_REQUEST_STATE_SECRET: requestStateSecret },
    adapter,
    host,
    auth,
    ours: true,
  };
}

/** Starts a target; `redis` (a started redis-server) for the Redis host, `issuer` for auth. */
export function launch(target, { redis, issuer, name = target.name, gc = false } = {}) {
  if (target.host === 'redis' && !redis) throw new Error(`${name} needs a redis-server`);
  if (target.auth && !issuer) throw new Error(`${name} needs an issuer`);
  return startServer(
    name,
    target.script,
    {
      ...target.env,
      ...(target.host === 'redis' && { REDIS_URL: redis.url }),
      ...(target.auth && issuer.env),
    },
    { gc },
  );
}
