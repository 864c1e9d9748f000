#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
// package.json) against the conformance fixture app. The suite's CLI needs Node >= 22; the project
// runs on the machine's Node, so only the CLI runs on a Node 22 binary from the npm package `node@22`.
// Usage: node test/conformance/run.mjs [--suite active|all|pending] [extra CLI arguments]
import getPort from 'get-port';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
const args = process.argv.slice(2);
const suiteArgs = args.includes('--suite') ? args : ['--suite', 'all', ...args];

const freePort = () => getPort({ host: '127.0.0.1' });

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

const port = await freePort();
const url = `http://localhost:${port}/mcp`;
const fixture = spawn(process.execPath, ['test/conformance/dist/main.js'], {
  cwd: root,
  env: { ...process.env, PORT: String(port) },
  stdio: ['ignore', 'inherit', 'inherit'],
});

let exitCode = 1;
try {
  await waitUntilListening(url, fixture);
  const run = spawn('npx', ['-y', '-p', 'node@22', 'node', cli, 'server', '--url', url, ...suiteArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  run.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  exitCode = await new Promise((resolve) => run.once('close', (code) => resolve(code ?? 1)));
  const total = /^Total: .*$/m.exec(output)?.[0];
  if (!total) {
    console.error('The conformance CLI printed no "Total:" line.');
    exitCode = 1;
  } else {
    console.log(`\nConformance (${suiteArgs.join(' ')}): ${total}`);
  }
} finally {
  fixture.kill('SIGTERM');
}
process.exit(exitCode);
