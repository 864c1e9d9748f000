// The results page (bench/results/latest.md): tables with each figure's ratio to its floor and to
// the official SDK, Redis costs, their extrapolation to a large deployment, and the targets.
import { extrapolate, perStream, redisCosts, SCALE } from './costs.mjs';
import { INSTANCES } from './scenarios/instances.mjs';
import { evaluateTargets } from './targets-met.mjs';

const number = (value, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
// Half the range of the rounds, relative to their median.
const percent = (spread) => (spread === undefined ? '—' : `${((spread / 2) * 100).toFixed(0)}%`);
const ratio = (value, base) => (value === undefined || !base ? '—' : `${(value / base).toFixed(2)}×`);
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, index) => (index === 0 ? '---' : '--:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
const breakdown = (commands) =>
  commands && Object.keys(commands).length > 0
    ? Object.entries(commands)
        .sort(([, a], [, b]) => b - a)
        .map(([command, count]) => `${command} ${count.toFixed(2)}`)
        .join(', ')
    : 'none';

function callsSection({ calls, instances, config }) {
  const byKey = Object.fromEntries(calls.map((row) => [row.key, row]));
  const floorOf = { express: byKey['floor-express'], fastify: byKey['floor-fastify'] };
  const sdkOf = { 2025: byKey['sdk-v1'], 2026: byKey['sdk-v2'] };
  const rows = calls.map((row) => [
    row.group === 'ours' ? `**${row.label}**` : row.label,
    number(row.perSecond),
    percent(row.spread),
    row.key === 'floor-http' ? '—' : ratio(row.perSecond, byKey['floor-http'].perSecond),
    row.group === 'floor' ? '—' : ratio(row.perSecond, floorOf[row.adapter]?.perSecond),
    row.group === 'floor' || row.key.startsWith('sdk') ? '—' : ratio(row.perSecond, sdkOf[row.era]?.perSecond),
    number(row.p50, 1),
    number(row.p99, 1),
    row.host === 'redis' ? number(row.redisPerRequest, 2) : '',
    row.host === 'redis' ? number(row.redisMicrosPerRequest, 1) : '',
  ]);
  const lines = [
    '## `tools/call`',
    '',
    `\`echo\` with \`{ "text": "hello" }\`, ${config.connections} connections, ${config.seconds} s per round, median of ${config.rounds} round(s) ` +
      '(rounds interleaved over all rows; "rounds ±" is half their range). 2025 rows call on one open session (`Mcp-Session-Id`); 2026-07-28 rows are stateless. ' +
      'The Nest floor is the one on the row\'s adapter; "× SDK" compares 2025 rows with SDK v1 and 2026 rows with SDK v2 `createMcpHandler`. ' +
      "Redis columns: commands and redis-server CPU time per call, from that target's own redis-server.",
    '',
    table(
      ['server', 'req/s', 'rounds ±', '× node:http', '× Nest floor', '× SDK', 'p50 ms', 'p99 ms', 'Redis cmds/call', 'Redis CPU µs/call'],
      rows,
    ),
  ];
  if (instances) {
    const single = byKey['ours-redis-fastify-2025'];
    lines.push(
      '',
      `**${INSTANCES} instances on one Redis** (round-robin: ${INSTANCES} loads at once, ${instances.connectionsPerInstance} connections each, ` +
        'every session called on another instance than the one that created it; percentiles of the slowest instance):',
      '',
      table(
        [
          'server',
          'req/s (all instances)',
          '× 1 instance (Redis, Fastify)',
          '× Nest floor',
          'p50 ms',
          'p99 ms',
          'Redis cmds/call',
          'Redis CPU µs/call',
        ],
        [
          [
            instances.label,
            number(instances.perSecond),
            ratio(instances.perSecond, single?.perSecond),
            ratio(instances.perSecond, floorOf.fastify?.perSecond),
            number(instances.p50, 1),
            number(instances.p99, 1),
            number(instances.redisPerRequest, 2),
            number(instances.redisMicrosPerRequest, 1),
          ],
        ],
      ),
      '',
      'All processes share the same cores: more instances cannot mean more throughput here; the row shows what serving every call from the shared host costs.',
    );
  }
  return lines.join('\n');
}

function initializeSection({ initialize, config }) {
  const sdk = initialize.find((row) => row.key === 'sdk-v1');
  return [
    '## New sessions',
    '',
    `\`initialize\` requests (each creates a session), ${config.initCount.toLocaleString('en-US')} per round after ${config.initWarmup.toLocaleString('en-US')} ` +
      `to warm up, on a fresh process per round, ${config.connections} connections, median of ${config.rounds}.`,
    '',
    table(
      ['server', 'sessions/s', '× SDK v1', 'p99 ms', 'Redis cmds/session', 'Redis CPU µs/session'],
      initialize.map((row) => [
        row.ours ? `**${row.label}**` : row.label,
        number(row.perSecond),
        row.key === 'sdk-v1' ? '—' : ratio(row.perSecond, sdk.perSecond),
        number(row.p99, 1),
        row.host === 'redis' ? number(row.redisPerRequest, 2) : '',
        row.host === 'redis' ? number(row.redisMicrosPerRequest, 1) : '',
      ]),
    ),
  ].join('\n');
}

function streamsSection({ streams, config }) {
  const sdk = streams.find((row) => row.key === 'sdk-v1');
  const floor = streams.find((row) => row.key === 'floor-http');
  const counts = config.streamCounts;
  const last = counts.at(-1);
  const at = (row, count) => row.points.find((point) => point.count === count);
  const thousands = (count) => count.toLocaleString('en-US');
  return [
    '## Idle sessions with an open GET stream',
    '',
    'Sessions opened (`initialize`, `notifications/initialized`), each holding a GET SSE stream on its own keep-alive socket. ' +
      "Growth per session over a warm process without sessions, read after a full garbage collection: the server's RSS (/proc), " +
      'and its live JS heap plus the buffers JS objects own (`heapUsed + external`). One pass per server. ' +
      'The node:http row is the floor: bare Node handing out session ids and holding an SSE response per session, no framework, no MCP.',
    '',
    table(
      [
        'server',
        ...counts.map((count) => `RSS KiB/session at ${thousands(count)}`),
        `× SDK v1 at ${thousands(last)}`,
        `× node:http at ${thousands(last)}`,
        ...counts.map((count) => `heap KiB/session at ${thousands(count)}`),
        'streams open at the end',
        `Redis bytes/session at ${thousands(last)}`,
      ],
      streams.map((row) => [
        row.ours ? `**${row.label}**` : row.label,
        ...counts.map((count) => number(at(row, count)?.kibPerSession, 1)),
        row.key === 'sdk-v1' ? '—' : ratio(at(row, last)?.kibPerSession, at(sdk, last)?.kibPerSession),
        row === floor ? '—' : ratio(at(row, last)?.kibPerSession, at(floor, last)?.kibPerSession),
        ...counts.map((count) => number(at(row, count)?.heapKibPerSession, 1)),
        `${thousands(row.openStreams)} of ${thousands(last)}`,
        row.host === 'redis' ? number(at(row, last)?.redisBytesPerSession) : '',
      ]),
    ),
  ].join('\n');
}

function fanOutSection({ fanOut }) {
  return [
    '## Fan-out',
    '',
    'One `McpSessionEvents.notifyAll({ method: "notifications/resources/list_changed" })` raised in the server ' +
      '(bench/peers/nest-mcp-notify.mjs: the sample plus a trigger route), received by every listener: half 2025 sessions on their GET stream, ' +
      'half 2026-07-28 `subscriptions/listen` streams, all on one Fastify instance. Time from sending the trigger until the last listener has it; median of the rounds.',
    '',
    table(
      ['host', 'listeners', 'all received, ms', 'last GET stream, ms', 'last listen stream, ms', 'notifyAll returned, ms'],
      fanOut.map((row) => [
        row.label,
        `${row.getStreams.toLocaleString('en-US')} GET + ${row.listenStreams.toLocaleString('en-US')} listen`,
        number(row.allMs, 0),
        number(row.getMs, 0),
        number(row.listenMs, 0),
        number(row.triggerMs, 0),
      ]),
    ),
  ].join('\n');
}

function redisSection(results) {
  const costs = redisCosts(results);
  const { call, modern, instances, init, idle } = costs;
  const lines = [
    '## What Redis does',
    '',
    'Commands as the redis-server counts them (`INFO commandstats`), including those a Lua script runs: each `evalsha` is one round trip ' +
      "that also counts the commands inside it. CPU is the redis-server process's (/proc).",
    '',
  ];
  if (call) {
    lines.push(
      `- \`tools/call\` on an open session: **${number(call.redisPerRequest, 2)}** commands and ${number(call.redisMicrosPerRequest, 1)} µs of Redis CPU per call (${breakdown(call.commandsPerCall)}).`,
    );
  }
  if (instances) {
    lines.push(
      `- The same with ${INSTANCES} instances, each call on another instance: **${number(instances.redisPerRequest, 2)}** commands per call (${breakdown(instances.commandsPerCall)}).`,
    );
  }
  if (modern) {
    lines.push(
      `- 2026-07-28 stateless \`tools/call\`: **${number(modern.redisPerRequest, 2)}** commands per call (${breakdown(modern.commandsPerCall)}).`,
    );
  }
  if (init)
    lines.push(
      `- \`initialize\`: **${number(init.redisPerRequest, 2)}** commands and ${number(init.redisMicrosPerRequest, 1)} µs of Redis CPU per new session.`,
    );
  if (idle) {
    const seconds = results.config.idleSeconds;
    const [without, ...withStreams] = idle;
    lines.push(
      `- One instance, no streams, over ${seconds} s: **${number(without.perSecond, 2)}** commands/s, ${number(without.cpuPerSecond * 1000, 1)} ms of Redis CPU per second ` +
        `(in all: ${breakdown(without.commands)}).`,
      ...withStreams.map(
        (point) =>
          `- The same instance with ${point.streams.toLocaleString('en-US')} idle GET streams, over ${seconds} s: **${number(point.perSecond, 2)}** commands/s, ` +
          `${number(point.cpuPerSecond * 1000, 1)} ms of Redis CPU per second (in all: ${breakdown(point.commands)}): ` +
          `**${number(perStream(without, point).commands * 60, 2)} commands per idle stream per minute**.`,
      ),
      `- Connections per instance: **${costs.connections}**; Redis memory per session with an open GET stream: **${number(costs.bytesPerSession)}** bytes.`,
    );
  }
  return lines.join('\n');
}

function extrapolationSection(results) {
  const scaled = extrapolate(redisCosts(results));
  if (!scaled) return '';
  const { commands, cpu } = scaled;
  return [
    `## Extrapolation: ${SCALE.sessions.toLocaleString('en-US')} sessions on ${SCALE.instances} instances`,
    '',
    `From the measured costs above (Redis host, Fastify), assuming: ${scaled.sessionsPerInstance.toLocaleString('en-US')} sessions per instance (the count measured above); ` +
      `each session makes ${SCALE.callsPerSessionPerMinute} \`tools/call\` per minute on its open session (${number(scaled.callsPerSecond)} calls/s in all); ` +
      `a session lasts ${SCALE.sessionMinutes} minutes, so ${number(scaled.initsPerSecond)} new sessions/s; every session holds an open GET stream; ` +
      'no notifications. Measured costs scaled linearly; nothing else counted (no keyspace growth effects, no network, no replicas).',
    '',
    table(
      ['what', 'Redis commands/s', 'redis-server CPU (cores)'],
      [
        ['`tools/call`', number(commands.calls), number(cpu.calls, 2)],
        ['new sessions', number(commands.inits), number(cpu.inits, 2)],
        ['idle GET streams', number(commands.streams), number(cpu.streams, 2)],
        ['the instances themselves (leases, sweeps, listening marks)', number(commands.instances), number(cpu.instances, 2)],
        ['**in all**', `**${number(commands.total)}**`, `**${number(cpu.total, 2)}**`],
      ],
    ),
    '',
    `Redis connections: **${number(scaled.connections)}**. Redis memory for the sessions: **${number(scaled.redisGiB, 2)} GiB**. ` +
      `RSS of each instance with its ${scaled.sessionsPerInstance.toLocaleString('en-US')} sessions: **${number(scaled.instanceMiB)} MiB**.`,
  ].join('\n');
}

function targetsSection(results) {
  if (results.config.smoke || results.partial) return '## Targets\n\nNot evaluated: smoke or partial run.';
  return [
    '## Targets (issue 12)',
    '',
    table(
      ['target', 'measured', 'met'],
      evaluateTargets(results).map((target) => [target.name, target.measured, target.met ? 'met' : '**not met**']),
    ),
  ].join('\n');
}

export function renderReport(results) {
  const { environment: env, config } = results;
  const sections = [
    '# Benchmark: nest-mcp, its floors and its peers\n\n' +
      `${env.date} · ${env.cpu} · ${number(env.memoryGiB, 0)} GiB · Node ${env.node} · commit ${env.commit}${env.uncommitted ? ' (with uncommitted changes in libs/ or apps/sample)' : ''}` +
      ` · library ${env.library} · ${config.smoke ? '**smoke run** (tiny counts, figures meaningless)' : 'full run'}, ${number(results.minutes, 1)} min.` +
      ' The load generator (autocannon, one process) runs on the same cores as the servers.',
  ];
  if (results.calls) sections.push(callsSection(results));
  if (results.initialize) sections.push(initializeSection(results));
  if (results.streams) sections.push(streamsSection(results));
  if (results.fanOut) sections.push(fanOutSection(results));
  if (results.calls || results.streams) sections.push(redisSection(results));
  const extrapolation = extrapolationSection(results);
  if (extrapolation) sections.push(extrapolation);
  sections.push(targetsSection(results));
  const notes = [
    ...(results.calls ? [`The JWT auth row's server fetched the JWKS ${results.jwksRequests} time(s) in the whole run.`] : []),
    ...results.warnings.map((warning) => `Warning printed: ${warning}`),
  ];
  if (notes.length > 0) sections.push(['## Notes', '', ...notes.map((note) => `- ${note}`)].join('\n'));
  return `${sections.join('\n\n')}\n`;
}
