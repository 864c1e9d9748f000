import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from './support/eventually.js';

const STDIO_MAIN = fileURLToPath(new URL('../apps/sample/dist/stdio.js', import.meta.url));

/** The sample served over stdio (`npm run start:stdio`), driven by the official SDK's stdio client. */
describe('the sample over stdio', () => {
  let client: Client;
  let stderr = '';

  beforeAll(() => {
    if (!existsSync(STDIO_MAIN)) throw new Error(`${STDIO_MAIN} is missing: run "npm run build" first.`);
  });

  beforeEach(async () => {
    client = new Client({ name: 'stdio-e2e', version: '1.0.0' }, { capabilities: { elicitation: {}, sampling: {} } });
    const transport = new StdioClientTransport({ command: process.execPath, args: [STDIO_MAIN], stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await client.connect(transport);
  });

  afterEach(() => client.close());

  it('initializes and lists the same tools as over HTTP, with Nest’s logs on stderr', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'nest-mcp-sample' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'add', 'count_slowly', 'add_note', 'slow_report']));
    expect(stderr).toContain('McpModule dependencies initialized');
  });

  it('calls tools with progress, logging and list changes', async () => {
    const progress: number[] = [];
    const counted = await client.callTool({ name: 'count_slowly', arguments: { to: 3, delayMs: 5 } }, undefined, {
      onprogress: ({ progress: step }) => void progress.push(step),
    });
    expect(counted.content).toEqual([{ type: 'text', text: 'Counted to 3.' }]);
    expect(progress).toEqual([1, 2, 3]);

    const listChanged: unknown[] = [];
    client.setNotificationHandler(ResourceListChangedNotificationSchema, (notification) => void listChanged.push(notification));
    const logged: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => void logged.push(params.data));
    await client.setLoggingLevel('debug');
    const added = await client.callTool({ name: 'add_note', arguments: { title: 'Stdio', text: 'over pipes' } });
    expect(added.isError).toBeFalsy();
    await eventually(() => expect(listChanged.length).toBeGreaterThan(0), 5_000);
    expect(logged.length).toBeGreaterThan(0);

    const uri = (added.content as Array<{ type: string; uri?: string }>).find((block) => block.type === 'resource_link')!.uri!;
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, ({ params }) => void updated.push(params.uri));
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'update_note', arguments: { id: uri.slice('notes://'.length), text: 'changed' } });
    await eventually(() => expect(updated).toEqual([uri]), 5_000);
  });

  it('asks the client for input (elicitation and sampling) over the same pipes', async () => {
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      role: 'assistant',
      model: 'test-model',
      content: { type: 'text', text: 'Piped thoughts' },
    }));
    const added = await client.callTool({ name: 'add_note', arguments: { title: 'Old', text: 'to be renamed, then deleted' } });
    const link = (added.content as Array<{ type: string; uri?: string }>).find((block) => block.type === 'resource_link')!;
    const id = link.uri!.slice('notes://'.length);
    expect((await client.callTool({ name: 'retitle_note', arguments: { id } })).content).toEqual([
      { type: 'text', text: `Renamed note ${id} to "Piped thoughts".` },
    ]);
    expect((await client.callTool({ name: 'delete_note', arguments: { id } })).content).toEqual([
      { type: 'text', text: `Deleted note ${id}.` },
    ]);
  });

  it('runs a task-capable tool as a task', async () => {
    const messages: string[] = [];
    for await (const message of client.experimental.tasks.callToolStream(
      { name: 'slow_report', arguments: { topic: 'pipes', seconds: 0 } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    )) {
      messages.push(message.type);
    }
    expect(messages[0]).toBe('taskCreated');
    expect(messages.at(-1)).toBe('result');
  });
});

describe('the stdio process', () => {
  const start = () => {
    const child = spawn(process.execPath, [STDIO_MAIN], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout });
    const received: string[] = [];
    lines.on('line', (line) => received.push(line));
    return { child, received };
  };

  it('answers a line that is not JSON with -32700, keeps serving, writes only JSON-RPC to stdout, and exits 0 when stdin ends', async () => {
    const { child, received } = start();
    child.stdin.write('this is not json\n');
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    await eventually(() => expect(received.length).toBe(2), 10_000);
    const messages = received.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(messages).toContainEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: expect.stringContaining('not valid JSON') },
    });
    expect(messages).toContainEqual(expect.objectContaining({ id: 1, result: expect.objectContaining({ protocolVersion: '2025-11-25' }) }));

    child.stdin.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('serves 2026-07-28 requests stateless, and cancels one on notifications/cancelled', async () => {
    const { child, received } = start();
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    send({ id: 'slow', method: 'tools/call', params: { name: 'count_slowly', arguments: { to: 100, delayMs: 1_000 }, _meta: meta } });
    send({ id: 'echo', method: 'tools/call', params: { name: 'echo', arguments: { text: 'modern' }, _meta: meta } });
    await eventually(() => expect(received.length).toBe(1), 10_000);
    expect(JSON.parse(received[0])).toMatchObject({
      id: 'echo',
      result: { resultType: 'complete', content: [{ type: 'text', text: 'modern' }] },
    });

    send({ method: 'notifications/cancelled', params: { requestId: 'slow', _meta: meta } });
    child.stdin.end();
    const ending = Date.now();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    // Cancelled: it gets no response, and the exit did not wait for it (shutdownGraceMs is 10 s).
    expect(Date.now() - ending).toBeLessThan(5_000);
    expect(received.map((line) => (JSON.parse(line) as { id?: unknown }).id)).toEqual(['echo']);
  });

  it('exits cleanly on SIGTERM', async () => {
    const { child, received } = start();
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    await eventually(() => expect(received.length).toBe(1), 10_000);
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
