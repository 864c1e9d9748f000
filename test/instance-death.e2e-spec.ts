import { McpModule, MemorySessionHost } from '@nest-mcp/mcp';
import { NodeLease } from '../libs/mcp/src/lifecycle/node-lease.service.js';
import { startApp, type RunningApp } from './support/app.js';
import { Gate, GatedTools } from './support/gated-tools.js';
import { openSession, postMcp, SseReader } from './support/http.js';

const LEASE_TTL_MS = 600;
const SWEEP_MS = 200;

const stepper = (id: number, key: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'stepper', arguments: { key, steps: 2 }, _meta: { progressToken: key } },
});

/** Two apps in one process on one memory host are two instances: one ends the streams of the other when its lease lapses. */
describe('instance death on the memory host', () => {
  let sessionHost: MemorySessionHost;
  let a: RunningApp;
  let b: RunningApp;

  beforeEach(async () => {
    sessionHost = new MemorySessionHost();
    const start = () =>
      startApp({
        imports: [
          McpModule.forRoot({
            name: 'lease',
            version: '1.0.0',
            sessionHost,
            leaseTtlMs: LEASE_TTL_MS,
            orphanSweepIntervalMs: SWEEP_MS,
            shutdownGraceMs: 0,
          }),
        ],
        providers: [Gate, GatedTools],
      });
    [a, b] = await Promise.all([start(), start()]);
  });

  afterEach(async () => {
    a.app.get(Gate).open('stalled');
    await Promise.all([a.close(), b.close()]);
    await sessionHost.close();
  });

  it('ends the stream of an instance that stopped renewing its lease with one retryable error, and refuses its late result', async () => {
    const sessionId = await openSession(`${a.baseUrl}/mcp`);
    const post = new SseReader(await postMcp(`${a.baseUrl}/mcp`, stepper(3, 'stalled'), { sessionId }));
    await post.next();
    const progress = await post.nextMessage();
    await a.app.get(Gate).reached('stalled');

    // A stops renewing (as if it died) while its handler still runs.
    await a.app.get(NodeLease).release();
    const resumed = new SseReader(
      await fetch(`${b.baseUrl}/mcp`, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'last-event-id': progress!.id! },
      }),
    );
    expect((await resumed.nextMessage(LEASE_TTL_MS + SWEEP_MS + 2_000))?.message).toMatchObject({
      id: 3,
      error: { code: -32603, data: { retryable: true } },
    });
    await resumed.expectEnd();

    // The presumed-dead instance finishes after all: its result is refused, never a second answer.
    a.app.get(Gate).open('stalled');
    await post.expectEnd();
    const streamId = progress!.id!.split('.')[0];
    const replay = new SseReader(
      await fetch(`${b.baseUrl}/mcp`, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'last-event-id': `${streamId}.0` },
      }),
    );
    const answers: Array<Record<string, unknown>> = [];
    for (let next = await replay.nextMessage(); next; next = await replay.nextMessage()) {
      if ('result' in next.message || 'error' in next.message) answers.push(next.message);
    }
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ id: 3, error: { code: -32603 } });
  });
});
