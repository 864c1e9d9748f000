#!/usr/bin/env node
// Side-by-side load run: this project's sample server (McpModule, memory session host) on Express
// and on Fastify, and the official TypeScript SDK's server (bench/sdk-peer.mjs), each in its own
// process, loaded by autocannon from this process. Reports throughput, latency and memory per
// session, and each of ours as a ratio of the SDK's.
// Usage: npm run bench [-- --seconds 10 --connections 32 --sessions 2000]
import autocannon from 'autocannon';
import getPort from 'get-port';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    sessions: { type: 'string', default: '3000' },
    inits: { type: 'string', default: '6000' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const sessionCount = Number(values.sessions);
const initCount = Number(values.inits);

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = (id = 1) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
  });
const echo = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello' } } });

const freePort = () => getPort({ host: '127.0.0.1' });

async function startServer(name, script) {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(url, { method: 'DELETE' });
      return { name, url, child };
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${name} did not start`);
}

const rssMiB = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((row) => row.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
};

async function openSession(url) {
  const response = await fetch(url, { method: 'POST', headers: HEADERS, body: initialize() });
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  const initialized = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  return sessionId;
}

const load = (options) =>
  new Promise((resolve, reject) => {
    const run = options.amount ? { connections, ...options } : { connections, duration: seconds, ...options };
    autocannon(run, (error, result) => (error ? reject(error) : resolve(result)));
  });

async function measure(server) {
  // Memory first, on a fresh process: RSS before and after opening `sessionCount` sessions.
  await sleep(500);
  const before = rssMiB(server.child.pid);
  for (let done = 0; done < sessionCount; done += 50) {
    await Promise.all(Array.from({ length: Math.min(50, sessionCount - done) }, () => openSession(server.url)));
  }
  await sleep(500);
  const after = rssMiB(server.child.pid);
  const sessionId = await openSession(server.url);
  const headers = { ...HEADERS, 'mcp-session-id': sessionId };
  // Warm-up, so JIT and caches are in the same state for both servers.
  await load({ url: server.url, method: 'POST', headers, body: echo, duration: 2 });
  const calls = await load({ url: server.url, method: 'POST', headers, body: echo });
  // A fixed number of new sessions: with the memory test's, below the memory host's default limit of 10,000.
  const inits = await load({ url: server.url, method: 'POST', headers: HEADERS, body: initialize(), amount: initCount });
  const initSeconds = (inits.finish.getTime() - inits.start.getTime()) / 1000;
  return {
    callsPerSecond: calls.requests.average,
    callP50: calls.latency.p50,
    callP99: calls.latency.p99,
    callErrors: calls.errors + calls.non2xx,
    initsPerSecond: inits['2xx'] / initSeconds,
    initErrors: inits.errors + inits.non2xx,
    kibPerSession: ((after - before) * 1024) / sessionCount,
  };
}

const servers = [
  await startServer('nest-mcp, Express', 'apps/sample/dist/main.js'),
  await startServer('nest-mcp, Fastify', 'bench/nest-fastify.mjs'),
  await startServer('official SDK 1.x, Express', 'bench/peers/sdk-v1.mjs'),
];
const results = [];
try {
  for (const server of servers) {
    process.stderr.write(`measuring ${server.name}...\n`);
    results.push({ name: server.name, ...(await measure(server)) });
  }
} finally {
  for (const server of servers) server.child.kill('SIGTERM');
}

const peer = results.at(-1);
const ours = results.slice(0, -1);
const ratio = (a, b) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);
const row = (label, key, digits) =>
  `| ${label} | ${results.map((result) => result[key].toFixed(digits)).join(' | ')} | ${ours.map((result) => ratio(result[key], peer[key])).join(' | ')} |`;
const report = [
  `# Benchmark: nest-mcp vs the official TypeScript SDK`,
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} (load generator on the same machine) · ` +
    `autocannon ${connections} connections; ${seconds} s of tools/call, ${initCount} initialize requests; ${sessionCount} sessions for memory`,
  '',
  `| measure | ${results.map((result) => result.name).join(' | ')} | ${ours.map((result) => `${result.name} / SDK`).join(' | ')} |`,
  `|---|${results.map(() => '---|').join('')}${ours.map(() => '---|').join('')}`,
  row('`tools/call` echo, requests/s, one session (higher is better)', 'callsPerSecond', 0),
  row('`tools/call` latency p50, ms', 'callP50', 1),
  row('`tools/call` latency p99, ms', 'callP99', 1),
  row('`initialize` (new session), sessions/s (higher is better)', 'initsPerSecond', 0),
  row('memory per open session, KiB (lower is better)', 'kibPerSession', 1),
  `| errors (calls / inits) | ${results.map((result) => `${result.callErrors} / ${result.initErrors}`).join(' | ')} |${ours.map(() => ' |').join('')}`,
  '',
].join('\n');
console.log(report);
writeFileSync(new URL('results/latest.md', import.meta.url), report);
