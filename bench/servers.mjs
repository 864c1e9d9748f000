// The processes a bench run starts: servers under test (each a Node process on a free loopback
// port) and redis-server instances. Everything started here is stopped by stopAll(), and anything
// unexpected (a process exiting, or a server writing to stderr) is a failure of the run.
import getPort from 'get-port';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fail, warnings } from './failures.mjs';

export const root = fileURLToPath(new URL('..', import.meta.url));

const servers = new Set();
const redisServers = new Set();
// Should this process die without stopAll(), its children die with it.
process.on('exit', () => {
  for (const item of [...servers, ...redisServers]) item.kill();
});

const freePort = () => getPort({ host: '127.0.0.1' });

/** Node's own warnings (`(node:123) Warning: ...` and the hint line after it) are reported, not failures. */
const isNodeWarning = (line) => /^\(node:\d+\) \w*Warning/.test(line) || line.startsWith('(Use `node --trace-');

function watchStderr(name, child) {
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines.filter(Boolean)) {
      process.stderr.write(`  [${name}] ${line}\n`);
      if (isNodeWarning(line)) warnings.push(`${name}: ${line}`);
      else fail(`${name} wrote to stderr: ${line}`);
    }
  });
}

/**
 * Starts `script` (relative to the repository root) with `env` on a free port; resolves when it
 * answers HTTP. The process runs with NODE_ENV=production, like a deployment. With `gc`, the
 * server can be told to collect garbage (`collectGarbage()`) before its memory is read.
 */
export async function startServer(name, script, env = {}, { gc = false } = {}) {
  const port = await freePort();
  const nodeArgs = gc ? ['--expose-gc', '--import', './bench/peers/gc-on-request.mjs'] : [];
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe', ...(gc ? ['ipc'] : [])],
  });
  const server = {
    name,
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stopping: false,
    kill: () => child.kill('SIGKILL'),
    async stop() {
      server.stopping = true;
      servers.delete(server);
      await stopChild(child);
    },
    /** A full garbage collection in the server (started with `gc`); resolves to its process.memoryUsage() after it. */
    collectGarbage() {
      const done = new Promise((resolve) => child.once('message', resolve));
      child.send('gc');
      return done;
    },
    /** Resident set size of the server process, KiB (from /proc). */
    rssKiB() {
      const line = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        .split('\n')
        .find((row) => row.startsWith('VmRSS:'));
      return Number(line.split(/\s+/)[1]);
    },
  };
  servers.add(server);
  watchStderr(name, child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  void exited.then((code) => {
    if (!server.stopping) fail(`${name} exited unexpectedly (code ${code})`);
  });
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited while starting (code ${child.exitCode})`);
    try {
      const response = await fetch(server.origin, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return server;
    } catch {
      await sleep(100);
    }
  }
  await server.stop();
  throw new Error(`${name} did not start within 60 s`);
}

async function stopChild(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

const run = promisify(execFile);

// /proc/<pid>/stat counts CPU time in clock ticks: 100 per second on Linux.
const CLOCK_TICKS = 100;

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the line; 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A redis-server without persistence on a free port, its data in a temporary directory. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nest-mcp-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const failed = new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not start (is it installed?): ${error.message}`)));
  });
  failed.catch(() => undefined);
  const cli = async (...args) => (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();
  const redis = {
    url: `redis://127.0.0.1:${port}`,
    cli,
    stopping: false,
    kill: () => child.kill('SIGKILL'),
    async stop() {
      redis.stopping = true;
      redisServers.delete(redis);
      await stopChild(child, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    /** `INFO <section>` as a map of field → value. */
    async info(section) {
      const fields = new Map();
      for (const line of (await cli('INFO', section)).split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
      }
      return fields;
    },
    /** CPU time the redis-server process used so far, in seconds (user + system, from /proc). */
    cpuSeconds: () => cpuSeconds(child.pid),
    /** Calls per command since start (`INFO commandstats`), without the ones the bench itself sends. */
    async commandCalls() {
      const calls = {};
      for (const [key, value] of await redis.info('commandstats')) {
        const command = key.replace(/^cmdstat_/, '');
        if (command === 'info') continue;
        calls[command] = Number(/calls=(\d+)/.exec(value)[1]);
      }
      return calls;
    },
  };
  redisServers.add(redis);
  void new Promise((resolve) => child.once('exit', resolve)).then((code) => {
    if (!redis.stopping) fail(`redis-server on port ${port} exited unexpectedly (code ${code})`);
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await Promise.race([cli('PING').catch(() => ''), failed])) === 'PONG') return redis;
    await sleep(50);
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

/** Commands per name between two `commandCalls()` snapshots. */
export function commandDelta(before, after) {
  const delta = {};
  for (const [command, calls] of Object.entries(after)) {
    const count = calls - (before[command] ?? 0);
    if (count > 0) delta[command] = count;
  }
  return delta;
}

export const totalCommands = (delta) => Object.values(delta).reduce((sum, count) => sum + count, 0);

/** Stops every process still running (servers first, then Redis). */
export async function stopAll() {
  await Promise.all([...servers].map((server) => server.stop()));
  await Promise.all([...redisServers].map((redis) => redis.stop()));
}
