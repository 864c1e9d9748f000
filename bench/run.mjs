#!/usr/bin/env node
// The benchmark (docs/benchmarks.md): floors, peers and this project's sample in each
// configuration, each in its own process, loaded from this one. Writes bench/results/latest.md and
// latest.json; any failed request, unexpected status or body, or server error fails the run (exit
// code 1).
//
// Usage: npm run bench [-- --smoke] [-- --only calls,instances,initialize,streams,fanOut]
//        [-- --rounds 3 --seconds 10 --connections 32]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startIssuer } from './auth.mjs';
import { assertNoFailures, failures, warnings } from './failures.mjs';
import { environment, requireOpenFiles } from './environment.mjs';
import { renderReport } from './report.mjs';
import { measureCalls } from './scenarios/calls.mjs';
import { measureFanOut } from './scenarios/fan-out.mjs';
import { measureIdleStreams } from './scenarios/idle-streams.mjs';
import { measureInitialize } from './scenarios/initialize.mjs';
import { measureInstances } from './scenarios/instances.mjs';
import { stopAll } from './servers.mjs';

const FULL = {
  rounds: 3,
  seconds: 10,
  warmupRequests: 5000,
  warmupSeconds: 2,
  connections: 32,
  initCount: 8000,
  initWarmup: 1000,
  streamCounts: [1000, 10000],
  idleSeconds: 30,
  fanOutListeners: 10000,
  // Pause before reading memory or counting, for the server to finish what opening streams began.
  settleMs: 2000,
};
// A couple of seconds per scenario and small counts: every code path, no figures worth reading.
const SMOKE = {
  ...FULL,
  rounds: 1,
  seconds: 0.5,
  warmupRequests: 200,
  warmupSeconds: 0.25,
  initCount: 300,
  initWarmup: 50,
  streamCounts: [50, 200],
  idleSeconds: 2,
  fanOutListeners: 200,
  settleMs: 200,
};
const SCENARIOS = ['calls', 'instances', 'initialize', 'streams', 'fanOut'];

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
  },
});
const config = { ...(values.smoke ? SMOKE : FULL), smoke: values.smoke };
for (const name of ['rounds', 'seconds', 'connections']) if (values[name]) config[name] = Number(values[name]);
const only = values.only ? values.only.split(',') : SCENARIOS;
const unknown = only.filter((name) => !SCENARIOS.includes(name));
if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
const partial = only.length < SCENARIOS.length;

process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));

const started = Date.now();
const results = { config, environment: environment(), partial };
const issuer = await startIssuer();
try {
  requireOpenFiles(Math.max(...config.streamCounts, config.fanOutListeners) + 256);
  const phases = [
    ['calls', () => measureCalls(config, issuer)],
    ['instances', () => measureInstances(config)],
    ['initialize', () => measureInitialize(config)],
    ['streams', () => measureIdleStreams(config)],
    ['fanOut', () => measureFanOut(config)],
  ];
  for (const [name, measure] of phases) {
    if (!only.includes(name)) continue;
    const phaseStart = Date.now();
    results[name] = await measure();
    process.stderr.write(`${name}: ${((Date.now() - phaseStart) / 1000).toFixed(0)} s\n`);
  }
  results.jwksRequests = issuer.jwksRequests;
  assertNoFailures();
} catch (error) {
  await stopAll();
  await issuer.stop();
  process.stderr.write(`\nbench failed: ${error.message}\n`);
  if (failures.length > 0 && !error.message.includes(failures[0])) process.stderr.write(`${failures.join('\n')}\n`);
  process.exit(1);
}
await stopAll();
await issuer.stop();
results.warnings = warnings;
results.minutes = (Date.now() - started) / 60_000;

const report = renderReport(results);
process.stdout.write(`${report}\n`);
// Smoke and partial runs are not results: they go to files git ignores. The JSON holds every
// figure, for comparing runs.
const name = config.smoke || partial ? 'results/last-run' : 'results/latest';
const [page, data] = config.smoke || partial ? [`${name}.md.tmp`, `${name}.json.tmp`] : [`${name}.md`, `${name}.json`];
writeFileSync(new URL(page, import.meta.url), report);
writeFileSync(new URL(data, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`written to bench/${page} and bench/${data} in ${results.minutes.toFixed(1)} min\n`);
