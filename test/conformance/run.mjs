#!/usr/bin/env node
// Runs the official MCP conformance suites against the conformance fixture app, all against one
// fixture server (both protocol eras on one endpoint):
// - @modelcontextprotocol/conformance 0.1.16, every server scenario (2025-11-25, sessions);
// - @modelcontextprotocol/conformance 0.2.0-alpha.12 (installed as conformance-next), the scenarios
//   each revision requires: `--requirements 2026-07-28` (stateless) and `--requirements 2025-11-25`,
//   and each scenario of the tasks extension (`tasks-*`) on its own, every check required to pass.
// The suites' CLI needs Node >= 22; the project runs on the machine's Node, so only the CLI runs on
// a Node 22 binary from the npm package `node@22`.
// With no arguments all of them run twice: on the memory session host, then on the Redis host (a
// redis-server started here on a free port; REDIS_URL switches the fixture to it).
// Usage: node test/conformance/run.mjs                       every run, on both hosts
//        node test/conformance/run.mjs --suite all|active|pending [more CLI arguments]   0.1.16 only
//        node test/conformance/run.mjs --requirements 2026-07-28 [more CLI arguments]    alpha only
//        node test/conformance/run.mjs --scenario tasks-lifecycle --spec-version 2026-07-28 --force
//        (set REDIS_URL to run a single suite on the Redis host)
import getPort from 'get-port';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLI_0_1 = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
const CLI_NEXT = 'node_modules/@modelcontextprotocol/conformance-next/dist/index.js';

// The tasks extension's scenarios: `--requirements 2026-07-28` runs them unscored (an extension is
// not part of the revision), so each also runs on its own, forced, and must pass every check.
const TASK_SCENARIOS = [
  'tasks-lifecycle',
  'tasks-capability-negotiation',
  'tasks-wire-fields',
  'tasks-request-state-removal',
  'tasks-mrtr-input',
  'tasks-request-headers',
  'tasks-dispatch-and-envelope',
  'tasks-status-notifications',
  'tasks-required-task-error',
  'tasks-mrtr-composition',
];

const args = process.argv.slice(2);
const runs =
  args.length === 0
    ? [
        { cli: CLI_0_1, args: ['--suite', 'all'] },
        { cli: CLI_NEXT, args: ['--requirements', '2026-07-28'] },
        { cli: CLI_NEXT, args: ['--requirements', '2025-11-25'] },
        ...TASK_SCENARIOS.map((scenario) => ({
          cli: CLI_NEXT,
          args: ['--scenario', scenario, '--spec-version', '2026-07-28', '--force'],
          strict: true,
        })),
      ]
    : [{ cli: args.includes('--requirements') || args.some((arg) => arg.startsWith('tasks-')) ? CLI_NEXT : CLI_0_1, args }];

async function waitUntilListening(url, fixture) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (fixture.exitCode !== null) throw new Error(`the fixture exited with code ${fixture.exitCode}`);
    try {
      await fetch(url, { method: 'OPTIONS' });
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`the fixture did not start listening at ${url}`);
}

/** Runs one CLI invocation; resolves to its exit code and its "Total:" (a suite) or "Passed:" (one scenario) line. */
async function runSuite(url, { cli, args: suiteArgs }) {
  const run = spawn('npx', ['-y', '-p', 'node@22', 'node', cli, 'server', '--url', url, ...suiteArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  run.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  const code = await new Promise((resolve) => run.once('close', (exit) => resolve(exit ?? 1)));
  return { code, total: /^(Total|Passed): .*$/m.exec(output)?.[0] };
}

/** Starts the fixture (on the Redis host when `redisUrl` is set), runs every suite, and stops it. */
async function runAll(redisUrl) {
  const port = await getPort({ host: '127.0.0.1' });
  const url = `http://localhost:${port}/mcp`;
  const fixture = spawn(process.execPath, ['test/conformance/dist/main.js'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), ...(redisUrl && { REDIS_URL: redisUrl }) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const host = redisUrl ? 'Redis host' : process.env.REDIS_URL ? 'Redis host (REDIS_URL)' : 'memory host';
  try {
    await waitUntilListening(url, fixture);
    for (const run of runs) {
      const { code, total } = await runSuite(url, run);
      const label = `${run.cli === CLI_NEXT ? '0.2.0-alpha.12' : '0.1.16'} ${run.args.join(' ')}, ${host}`;
      if (!total) {
        summary.push(`Conformance ${label}: the CLI printed no "Total:" or "Passed:" line (exit ${code})`);
        exitCode = 1;
      } else {
        // A forced scenario's failed checks must fail the run even where the CLI would not.
        const failed = run.strict && !/\b0 failed\b/.test(total);
        summary.push(`Conformance ${label}: ${total}${code === 0 ? '' : ` (exit ${code})`}${failed ? ' (failed checks)' : ''}`);
        if (code !== 0 || failed) exitCode = 1;
      }
    }
  } finally {
    fixture.kill('SIGTERM');
  }
}

/** A throwaway redis-server without persistence on a free port. */
async function startRedis() {
  const port = await getPort({ host: '127.0.0.1' });
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with code ${server.exitCode}`);
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.end() && true)).on('error', () => resolve(false));
    });
    if (up) return { url: `redis://127.0.0.1:${port}`, stop: () => server.kill('SIGKILL') };
    await sleep(100);
  }
  throw new Error('redis-server did not start');
}

let exitCode = 0;
const summary = [];
await runAll(undefined);
if (args.length === 0) {
  const redis = await startRedis();
  try {
    await runAll(redis.url);
  } finally {
    redis.stop();
  }
}
console.log(`\n${summary.join('\n')}`);
process.exit(exitCode);
