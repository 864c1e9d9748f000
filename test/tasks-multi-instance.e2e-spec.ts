import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TASKS_EXTENSION } from '@nest-mcp/mcp';
import { eventually } from './support/eventually.js';
import { AppInstance, startOnRedis } from './support/app-instances.js';
import { callModern } from './support/modern-http.js';
import type { RedisServer } from './support/redis-server.js';

const LEASE_TTL_MS = 1_000;
const SWEEP_MS = 300;

/** Tasks across three app processes on one Redis: any instance answers for a task running on any other. */
describe('tasks on three instances sharing one Redis', () => {
  let redis: RedisServer;
  let instances: AppInstance[];
  let stop: () => Promise<void>;
  const clients: Client[] = [];
  const [A, B, C] = [0, 1, 2];

  beforeAll(async () => {
    ({ redis, instances, stop } = await startOnRedis(3, (env) => AppInstance.start(env), {
      MCP_REQUEST_STATE_SECRET: 'multi-instance-secret-0123456789abcdef',
      MCP_LEASE_TTL_MS: String(LEASE_TTL_MS),
      MCP_ORPHAN_SWEEP_MS: String(SWEEP_MS),
      MCP_SHUTDOWN_GRACE_MS: '2000',
    }));
  }, 60_000);

  afterAll(() => stop?.());

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  });

  const call = (instance: number, method: string, params: Record<string, unknown>, user = 'alice') =>
    callModern(instances[instance].url, method, params, {
      capabilities: { extensions: { [TASKS_EXTENSION]: {} } },
      headers: { 'x-test-user': user },
    });

  const startJob = async (instance: number, marker: string, ms: number, user = 'alice') => {
    const { response } = await call(instance, 'tools/call', { name: 'job', arguments: { marker, ms } }, user);
    expect(response.result).toMatchObject({ resultType: 'task', status: 'working' });
    return response.result.taskId as string;
  };

  const statusOn = async (instance: number, taskId: string, user = 'alice') =>
    (await call(instance, 'tasks/get', { taskId }, user)).response.result;

  it('creates a task on A, polls it and reads its result on B, and lets nobody else see it', async () => {
    const taskId = await startJob(A, 'polled', 300);
    expect((await statusOn(B, taskId)).status).toBe('working');
    await eventually(async () =>
      expect(await statusOn(B, taskId)).toMatchObject({
        status: 'completed',
        result: { content: [{ type: 'text', text: `polled done on ${instances[A].port}` }] },
      }),
    );
    for (const [method, params] of [
      ['tasks/get', { taskId }],
      ['tasks/update', { taskId, inputResponses: {} }],
      ['tasks/cancel', { taskId }],
    ] as const) {
      expect((await call(C, method, params, 'mallory')).response.error.code).toBe(-32602);
    }
    expect((await statusOn(C, taskId)).status).toBe('completed');
  });

  it('cancels from C a task running on A: cancelled on every instance, and its method aborted on A', async () => {
    const taskId = await startJob(A, 'cancelled-from-c', 60_000);
    await eventually(async () => expect((await instances[A].state()).started).toContain('cancelled-from-c'));

    expect((await call(C, 'tasks/cancel', { taskId })).response.result).toMatchObject({ resultType: 'complete' });
    for (const instance of [A, B, C]) expect((await statusOn(instance, taskId)).status).toBe('cancelled');
    await eventually(async () => expect((await instances[A].state()).aborted).toContain('cancelled-from-c'));
  });

  it(`fails a task whose instance was killed, within the lease and a sweep (${LEASE_TTL_MS} + ${SWEEP_MS} ms)`, async () => {
    const taskId = await startJob(A, 'orphaned', 60_000);
    await eventually(async () => expect((await instances[A].state()).started).toContain('orphaned'));
    const killed = Date.now();
    await instances[A].kill();

    await eventually(async () => expect((await statusOn(B, taskId)).status).toBe('failed'), 10_000);
    const failedAfter = Date.now() - killed;
    expect(failedAfter).toBeLessThan(LEASE_TTL_MS + 2 * SWEEP_MS + 2_000);
    expect(await statusOn(C, taskId)).toMatchObject({
      status: 'failed',
      statusMessage: expect.stringContaining('instance running this task stopped'),
      error: { code: -32603, data: { retryable: true } },
    });
    await instances[A].restart();
  });

  it('fails the tasks still running when an instance shuts down, after its grace period', async () => {
    const taskId = await startJob(B, 'at-shutdown', 60_000);
    await eventually(async () => expect((await instances[B].state()).started).toContain('at-shutdown'));
    await instances[B].stop();
    expect(await statusOn(C, taskId)).toMatchObject({ status: 'failed', statusMessage: expect.stringContaining('stopped') });
    await instances[B].restart();
  });

  it('keeps a 2025 session task through the client going away: created on A, its result fetched on C by a new connection', async () => {
    const first = new Client({ name: 'tasks-e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(instances[A].url));
    await first.connect(transport);
    clients.push(first);
    const sessionId = transport.sessionId!;
    const { task } = await first.request(
      { method: 'tools/call', params: { name: 'job', arguments: { marker: 'survives', ms: 300 }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    // The client goes away without ending its session.
    await transport.close();

    const again = new Client({ name: 'tasks-e2e', version: '1.0.0' });
    await again.connect(new StreamableHTTPClientTransport(new URL(instances[C].url), { sessionId }));
    clients.push(again);
    const result = await again.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.content).toEqual([{ type: 'text', text: `survives done on ${instances[A].port}` }]);
    expect((await again.experimental.tasks.listTasks()).tasks.map(({ taskId }) => taskId)).toContain(task.taskId);
  });

  it('leaves Redis without a task index entry for a node that is gone', async () => {
    const running = await redis.cli('HLEN', 'mcp:running-tasks');
    expect(Number(running)).toBe(0);
  });
});
