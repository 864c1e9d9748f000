#!/usr/bin/env node
// Installs the packages as users get them — `npm pack` tarballs — into the consumer apps under
// consumers/ (a Nest 11 CommonJS app and a Nest 12 ESM app, shaped as the Nest CLI scaffolds them),
// each copied outside this repository so that nothing resolves from its node_modules. In each app:
// `nest build`, its unit and e2e tests (Express and Fastify, MCP calls through the official SDK
// client), then the built app started with `node dist/main` and asked to initialize over HTTP.
// Needs the packages built (`npm run build`) and the npm registry for the apps' other dependencies.
// `npm run consumers [name…]` runs all apps, or the named ones.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The npm scripts each app runs, in order, after `npm install`. */
const apps = {
  'nest11-cjs': ['build', 'test', 'test:e2e'],
  'nest12-esm': ['build', 'test', 'test:e2e', 'test:jest'],
};
const selected = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(apps);
const work = mkdtempSync(join(tmpdir(), 'nest-mcp-consumers-'));

const npm = (args, cwd, env = process.env) => {
  console.log(`\n$ (${cwd}) npm ${args.join(' ')}`);
  execFileSync('npm', args, { cwd, stdio: 'inherit', env });
};

// The apps' package.json name the tarballs as file:../packs/<package>.tgz, free of the version.
const packs = join(work, 'packs');
mkdirSync(packs);
npm(['pack', '--pack-destination', packs, '-w', 'libs/mcp', '-w', 'libs/mcp-redis'], root);
for (const file of readdirSync(packs)) {
  renameSync(join(packs, file), join(packs, file.replace(/-\d+\.\d+\.\d+(-[\w.]+)?\.tgz$/, '.tgz')));
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** Starts `node dist/main`, waits for the endpoint, runs an initialize request and stops the app. */
async function smokeStart(cwd) {
  const port = await freePort();
  const app = spawn(process.execPath, ['dist/main'], { cwd, env: { ...process.env, PORT: String(port) }, stdio: 'inherit' });
  const exited = new Promise((resolve) => app.once('exit', resolve));
  try {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'consumers', version: '1' } },
        }),
      }).catch((error) => (attempt < 100 && app.exitCode === null ? undefined : Promise.reject(error)));
      if (!response) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const text = await response.text();
      if (response.status !== 200 || !response.headers.get('mcp-session-id') || !text.includes('"serverInfo"')) {
        throw new Error(`node dist/main: initialize answered ${response.status}: ${text}`);
      }
      console.log(`node dist/main: initialize answered 200 with session ${response.headers.get('mcp-session-id')}`);
      return;
    }
  } finally {
    app.kill('SIGTERM');
    await exited;
  }
}

for (const name of selected) {
  if (!apps[name]) throw new Error(`No consumer app "${name}"; there are: ${Object.keys(apps).join(', ')}`);
  const cwd = join(work, name);
  cpSync(join(root, 'consumers', name), cwd, { recursive: true, filter: (path) => !/[/\\](node_modules|dist)$/.test(path) });
  npm(['install', '--no-audit', '--no-fund'], cwd);
  for (const script of apps[name]) npm(['run', script], cwd);
  await smokeStart(cwd);
  console.log(`\n${name}: passed`);
}
rmSync(work, { recursive: true, force: true });
