import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  ElicitRequestSchema,
  McpError as SdkMcpError,
  TaskStatusNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Injectable } from '@nestjs/common';
import { McpError, McpTool, McpToolError, TASKS_EXTENSION, type McpContext } from '@nest-mcp/mcp';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { buildReport } from '../docs/snippets/tasks/client.js';
import { ReportsService, ReportsTools } from '../docs/snippets/tasks/reports.tools.js';
import { eventually } from './support/eventually.js';
import { callModern } from './support/modern-http.js';
import { collect, startMcpApp, type McpTestApp } from './support/sdk-session.js';
import { principalFromTestHeader } from './support/test-principal.js';

/** Tools that run as tasks, and a gate that holds `held` until a test opens it. */
@Injectable()
class ReportTools {
  private release: (() => void) | undefined;
  started = 0;
  aborted = 0;

  open(): void {
    this.release?.();
  }

  @McpTool({ name: 'report', description: 'A slow report.', input: z.object({ topic: z.string() }), task: 'optional' })
  async report({ topic }: { topic: string }, ctx: McpContext): Promise<string> {
    await sleep(50, undefined, { signal: ctx.signal });
    return `Report on ${topic}.`;
  }

  @McpTool({ name: 'held', description: 'Runs until released or cancelled.', task: 'required' })
  async held(_args: unknown, ctx: McpContext): Promise<string> {
    this.started++;
    await new Promise<void>((resolve, reject) => {
      this.release = resolve;
      ctx.signal.addEventListener(
        'abort',
        () => {
          this.aborted++;
          reject(ctx.signal.reason as Error);
        },
        { once: true },
      );
    });
    return 'released';
  }

  @McpTool({ name: 'confirm', description: 'Asks the user, as a task.', task: 'required' })
  async confirm(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Go on?', requestedSchema: z.object({ ok: z.boolean() }) });
    return answer.action === 'accept' && answer.content?.ok ? 'confirmed' : 'declined';
  }

  @McpTool({ name: 'broken', description: 'Fails as a tool, as a task.', task: 'optional' })
  broken(): string {
    throw new McpToolError('the report source is down');
  }

  @McpTool({ name: 'invalid', description: 'Fails with a protocol error, as a task.', task: 'optional' })
  invalid(): string {
    throw McpError.invalidParams('no such report');
  }

  @McpTool({ name: 'huge', description: 'Returns more than a task may keep.', task: 'optional' })
  huge(): string {
    return 'x'.repeat(4096);
  }

  @McpTool({ name: 'plain', description: 'Never a task.' })
  plain(): string {
    return 'plain';
  }

  @McpTool({ name: 'ask_then_task', description: 'Asks in the call, then goes on as a task.', task: 'optional', taskStart: 'handler' })
  async askThenTask(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Name?', requestedSchema: z.object({ name: z.string() }) });
    await ctx.continueAsTask();
    await sleep(20);
    return `Hello, ${answer.content?.name}.`;
  }
}

const TASKS = { extensions: { [TASKS_EXTENSION]: {} } };

describe('tasks', () => {
  let app: McpTestApp;
  let tools: ReportTools;
  let url: string;

  beforeAll(async () => {
    app = await startMcpApp({
      options: {
        resolvePrincipal: principalFromTestHeader,
        tasks: { maxPerOwner: 5, maxResultBytes: 1024, pollIntervalMs: 50, defaultTtlMs: 60_000, maxTtlMs: 120_000 },
      },
      providers: [ReportTools],
    });
    tools = app.app.get(ReportTools);
    url = app.url.href;
  });

  afterAll(() => app.close());

  describe('2025-11-25 sessions (experimental tasks, v1 SDK client)', () => {
    it('advertises tasks and each tool’s task support', async () => {
      const { client } = await app.connect({ listen: false });
      expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
      const { tools: listed } = await client.listTools();
      expect(listed.find((tool) => tool.name === 'report')?.execution).toEqual({ taskSupport: 'optional' });
      expect(listed.find((tool) => tool.name === 'held')?.execution).toEqual({ taskSupport: 'required' });
      expect(listed.find((tool) => tool.name === 'plain')).not.toHaveProperty('execution');
    });

    it('runs a call as a task: created at once, then its result from tasks/result, with the related-task _meta', async () => {
      const { client } = await app.connect({ listen: false });
      const created = await client.request(
        { method: 'tools/call', params: { name: 'report', arguments: { topic: 'sales' }, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
      );
      expect(created.task).toMatchObject({ status: 'working', ttl: 60_000, pollInterval: 50 });
      const { taskId } = created.task;

      const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      expect(result.content).toEqual([{ type: 'text', text: 'Report on sales.' }]);
      expect(result._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId } });
      expect(await client.experimental.tasks.getTask(taskId)).toMatchObject({ taskId, status: 'completed' });
      expect((await client.experimental.tasks.listTasks()).tasks.map((task) => task.taskId)).toContain(taskId);
    });

    it('grants the ttl asked for up to maxTtlMs, and defaultTtlMs when none is asked', async () => {
      const { client } = await app.connect({ listen: false });
      const ttlFor = async (task: Record<string, unknown>) =>
        (
          await client.request(
            { method: 'tools/call', params: { name: 'report', arguments: { topic: 'ttl' }, task } },
            CreateTaskResultSchema,
          )
        ).task.ttl;
      expect(await ttlFor({ ttl: 90_000 })).toBe(90_000);
      expect(await ttlFor({ ttl: 10 ** 9 })).toBe(120_000);
      expect(await ttlFor({})).toBe(60_000);
    });

    it('streams a call as a task with callToolStream, status notifications on the GET stream', async () => {
      const session = await app.connect();
      const statuses = collect(session.client, TaskStatusNotificationSchema);
      const messages: string[] = [];
      for await (const message of session.client.experimental.tasks.callToolStream(
        { name: 'report', arguments: { topic: 'costs' } },
        CallToolResultSchema,
        { task: { ttl: 60_000 } },
      )) {
        messages.push(message.type);
        if (message.type === 'result') expect(message.result.content).toEqual([{ type: 'text', text: 'Report on costs.' }]);
      }
      expect(messages[0]).toBe('taskCreated');
      expect(messages.at(-1)).toBe('result');
      await statuses.waitFor((notification) => notification.params.status === 'completed', 'a completed status');
    });

    it('cancels a running task: cancelled everywhere and its method aborted; cancelling it again is -32602', async () => {
      const { client } = await app.connect({ listen: false });
      const [started, aborted] = [tools.started, tools.aborted];
      const { task } = await client.request(
        { method: 'tools/call', params: { name: 'held', arguments: {}, task: {} } },
        CreateTaskResultSchema,
      );
      await eventually(() => expect(tools.started).toBe(started + 1));

      expect(await client.experimental.tasks.cancelTask(task.taskId)).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
      await eventually(() => expect(tools.aborted).toBe(aborted + 1));
      expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'cancelled' });
      await expect(client.experimental.tasks.cancelTask(task.taskId)).rejects.toThrow(/terminal status 'cancelled'/);
      await expect(client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)).rejects.toThrow(/cancelled/);
    });

    it('cancels the running tasks of a session that ends', async () => {
      const session = await app.connect({ listen: false });
      const [started, aborted] = [tools.started, tools.aborted];
      await session.client.request({ method: 'tools/call', params: { name: 'held', arguments: {}, task: {} } }, CreateTaskResultSchema);
      await eventually(() => expect(tools.started).toBe(started + 1));

      await session.transport.terminateSession();

      await eventually(() => expect(tools.aborted).toBe(aborted + 1));
    });

    it('asks the client through the session while the task waits in input_required', async () => {
      const session = await app.connect({ capabilities: { elicitation: {} } });
      session.client.setRequestHandler(ElicitRequestSchema, async (request) => {
        expect(request.params._meta?.['io.modelcontextprotocol/related-task']).toBeDefined();
        return { action: 'accept', content: { ok: true } };
      });
      const { task } = await session.client.request(
        { method: 'tools/call', params: { name: 'confirm', arguments: {}, task: {} } },
        CreateTaskResultSchema,
      );
      const result = await session.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
      expect(result.content).toEqual([{ type: 'text', text: 'confirmed' }]);
    });

    it('fails a task whose tool failed (its result kept) or raised a protocol error, and one whose result is too large', async () => {
      const { client } = await app.connect({ listen: false });
      const start = async (name: string) =>
        (await client.request({ method: 'tools/call', params: { name, arguments: {}, task: {} } }, CreateTaskResultSchema)).task.taskId;

      const broken = await start('broken');
      const brokenResult = await client.experimental.tasks.getTaskResult(broken, CallToolResultSchema);
      expect(brokenResult).toMatchObject({ isError: true, content: [{ type: 'text', text: 'the report source is down' }] });
      expect(await client.experimental.tasks.getTask(broken)).toMatchObject({ status: 'failed' });

      const invalid = await start('invalid');
      await expect(client.experimental.tasks.getTaskResult(invalid, CallToolResultSchema)).rejects.toMatchObject({ code: -32602 });

      const huge = await start('huge');
      await expect(client.experimental.tasks.getTaskResult(huge, CallToolResultSchema)).rejects.toThrow(/more than the 1024 bytes/);
    });

    it('refuses a task for a tool that forbids it and a plain call of one that requires it, with -32601', async () => {
      const { client } = await app.connect({ listen: false });
      await expect(
        client.request({ method: 'tools/call', params: { name: 'plain', arguments: {}, task: {} } }, CreateTaskResultSchema),
      ).rejects.toMatchObject({ code: -32601 });
      await expect(
        client.request({ method: 'tools/call', params: { name: 'held', arguments: {} } }, CallToolResultSchema),
      ).rejects.toMatchObject({
        code: -32601,
      });
    });

    it("keeps a session's tasks from every other session: not found, not listed, not cancellable", async () => {
      const owner = await app.connect({ listen: false });
      const other = await app.connect({ listen: false });
      const { task } = await owner.client.request(
        { method: 'tools/call', params: { name: 'report', arguments: { topic: 'secret' }, task: {} } },
        CreateTaskResultSchema,
      );
      for (const attempt of [
        other.client.experimental.tasks.getTask(task.taskId),
        other.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema),
        other.client.experimental.tasks.cancelTask(task.taskId),
      ]) {
        await expect(attempt).rejects.toMatchObject({ code: -32602 });
      }
      expect((await other.client.experimental.tasks.listTasks()).tasks).toEqual([]);
    });

    it('refuses a task beyond the most per session with a clear error', async () => {
      const { client } = await app.connect({ listen: false });
      const call = () =>
        client.request({ method: 'tools/call', params: { name: 'report', arguments: { topic: 't' }, task: {} } }, CreateTaskResultSchema);
      for (let index = 0; index < 5; index++) await call();
      const refused = await call().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SdkMcpError);
      expect(refused).toMatchObject({ code: -32600, message: expect.stringMatching(/already has 5 tasks/) });
    });
  });

  describe('2026-07-28 (extension io.modelcontextprotocol/tasks)', () => {
    const call = (method: string, params: Record<string, unknown>, user = 'alice', capabilities: Record<string, unknown> = TASKS) =>
      callModern(url, method, params, { capabilities, headers: { 'x-test-user': user } });

    it('announces the extension in server/discover, and no 2025 tasks capability', async () => {
      const { response } = await call('server/discover', {});
      expect(response.result.capabilities.extensions).toEqual({ [TASKS_EXTENSION]: {} });
      expect(response.result.capabilities).not.toHaveProperty('tasks');
    });

    it('answers a task-capable call with resultType "task", then tasks/get inlines its result', async () => {
      const { response } = await call('tools/call', { name: 'report', arguments: { topic: 'q3' } });
      expect(response.result).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 50 });
      expect(response.result).not.toHaveProperty('task');
      const { taskId } = response.result;

      await eventually(async () => {
        const { response: got } = await call('tasks/get', { taskId });
        expect(got.result).toMatchObject({
          resultType: 'complete',
          taskId,
          status: 'completed',
          result: { content: [{ type: 'text', text: 'Report on q3.' }] },
        });
      });
    });

    it('runs the call in the request for a client without the extension, and refuses a required tool with -32021', async () => {
      const { response } = await call('tools/call', { name: 'report', arguments: { topic: 'q4' } }, 'alice', {});
      expect(response.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Report on q4.' }] });
      const { response: refused } = await call('tools/call', { name: 'held', arguments: {} }, 'alice', {});
      expect(refused.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } } });
      const { response: gated } = await call('tasks/get', { taskId: 'whatever' }, 'alice', {});
      expect(gated.error.code).toBe(-32021);
    });

    it('waits in input_required for tasks/update, then completes', async () => {
      const { response } = await call('tools/call', { name: 'confirm', arguments: {} }, 'alice', { ...TASKS, elicitation: {} });
      const { taskId } = response.result;
      let key = '';
      await eventually(async () => {
        const { response: got } = await call('tasks/get', { taskId });
        expect(got.result.status).toBe('input_required');
        key = Object.keys(got.result.inputRequests)[0];
        expect(got.result.inputRequests[key]).toMatchObject({ method: 'elicitation/create' });
      });
      const { response: ack } = await call('tasks/update', {
        taskId,
        inputResponses: { [key]: { action: 'accept', content: { ok: true } }, stray: {} },
      });
      expect(ack.result).toEqual({ resultType: 'complete', _meta: expect.any(Object) });
      await eventually(async () => {
        const { response: got } = await call('tasks/get', { taskId });
        expect(got.result).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'confirmed' }] } });
      });
    });

    it('asks in rounds of the call first, then becomes a task with ctx.continueAsTask()', async () => {
      const capabilities = { ...TASKS, elicitation: {} };
      const { response: first } = await call('tools/call', { name: 'ask_then_task', arguments: {} }, 'alice', capabilities);
      expect(first.result.resultType).toBe('input_required');
      const [key] = Object.keys(first.result.inputRequests);
      const { response: second } = await call(
        'tools/call',
        {
          name: 'ask_then_task',
          arguments: {},
          requestState: first.result.requestState,
          inputResponses: { [key]: { action: 'accept', content: { name: 'Ada' } } },
        },
        'alice',
        capabilities,
      );
      expect(second.result).toMatchObject({ resultType: 'task', status: 'working' });
      await eventually(async () => {
        const { response: got } = await call('tasks/get', { taskId: second.result.taskId });
        expect(got.result).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'Hello, Ada.' }] } });
      });
    });

    it('cancels with an empty acknowledgement, also once finished; another principal gets -32602 for every task method', async () => {
      const { response } = await call('tools/call', { name: 'held', arguments: {} });
      const { taskId } = response.result;
      for (const [method, params] of [
        ['tasks/get', { taskId }],
        ['tasks/update', { taskId, inputResponses: {} }],
        ['tasks/cancel', { taskId }],
      ] as const) {
        const { response: refused } = await call(method, params, 'mallory');
        expect(refused.error.code).toBe(-32602);
      }
      const { response: ack } = await call('tasks/cancel', { taskId });
      expect(ack.result).toEqual({ resultType: 'complete', _meta: expect.any(Object) });
      expect((await call('tasks/get', { taskId })).response.result.status).toBe('cancelled');
      expect((await call('tasks/cancel', { taskId })).response.result.resultType).toBe('complete');
    });

    it('has no tasks/result and no tasks/list', async () => {
      for (const method of ['tasks/result', 'tasks/list']) {
        const { response } = await call(method, { taskId: 'x' });
        expect(response.error.code).toBe(-32601);
      }
    });
  });
});

describe('docs/tasks.md', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [ReportsService, ReportsTools] });
  });

  afterAll(() => app.close());

  it('runs the guide’s tool as a task with the guide’s client code', async () => {
    const { text, statuses } = await buildReport(app.url.href, 'sales');
    expect(text).toBe('sales, part 1\nsales, part 2\nsales, part 3');
    expect(statuses[0]).toBe('working');
  });
});
