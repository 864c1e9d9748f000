import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AppModule } from '../apps/sample/src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';
import { textOf } from './support/auth-app.js';
import { collect, withSdkSessions, type McpTestApp, type SdkSession } from './support/sdk-session.js';

describe('sample app with the official SDK client', () => {
  let running: RunningApp;
  let client: Client;
  let transport: StreamableHTTPClientTransport;

  beforeAll(async () => {
    running = await startApp({ imports: [AppModule] });
  });

  afterAll(async () => {
    await running.close();
  });

  beforeEach(async () => {
    client = new Client({ name: 'e2e', version: '1.0.0' });
    transport = new StreamableHTTPClientTransport(new URL(`${running.baseUrl}/mcp`));
    await client.connect(transport);
  });

  afterEach(async () => {
    await client.close();
  });

  it('initializes a session and reports the server', () => {
    expect(transport.sessionId).toMatch(/^[\x21-\x7e]{22,}$/);
    expect(client.getServerVersion()).toEqual({ name: 'nest-mcp-sample', version: '0.1.0', title: 'nest-mcp sample' });
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getInstructions()).toContain('sample server');
  });

  it('lists the tools with their JSON Schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'add',
      'add_note',
      'count_slowly',
      'delete_note',
      'echo',
      'retitle_note',
      'search_notes',
      'slow_report',
      'update_note',
    ]);
    const add = tools.find((tool) => tool.name === 'add')!;
    expect(add.inputSchema).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(add.outputSchema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });
    expect(add.annotations).toEqual({ readOnlyHint: true });
  });

  it('calls echo', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    expect(result).toEqual({ content: [{ type: 'text', text: 'hello' }] });
  });

  it('calls add and returns validated structured content', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
    expect(result.content).toEqual([{ type: 'text', text: '{"sum":42}' }]);
  });

  it('reports invalid arguments as a tool error the model can read', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 'two', b: 40 } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0].text).toMatch(/Invalid arguments for tool add: a: .*number/);
  });

  it('answers an unknown tool with JSON-RPC -32602', async () => {
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('streams progress notifications during a tool call', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await client.callTool({ name: 'count_slowly', arguments: { to: 3, delayMs: 5 } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    expect(result.content).toEqual([{ type: 'text', text: 'Counted to 3.' }]);
    expect(progress).toEqual([
      { progress: 1, total: 3, message: 'Counted to 1' },
      { progress: 2, total: 3, message: 'Counted to 2' },
      { progress: 3, total: 3, message: 'Counted to 3' },
    ]);
  });

  it('runs slow_report as a task the client polls, and as a plain call for a client that asks for none', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'slow_report')?.execution).toEqual({ taskSupport: 'optional' });
    const messages = [];
    for await (const message of client.experimental.tasks.callToolStream(
      { name: 'slow_report', arguments: { topic: 'sales', seconds: 1 } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    )) {
      messages.push(message);
    }
    expect(messages[0]).toMatchObject({ type: 'taskCreated', task: { status: 'working' } });
    expect(messages.at(-1)).toEqual({
      type: 'result',
      result: expect.objectContaining({ content: [{ type: 'text', text: 'Report on sales: ready after 1 s.' }] }),
    });

    const plain = await client.callTool({ name: 'slow_report', arguments: { topic: 'costs', seconds: 0 } });
    expect(plain.content).toEqual([{ type: 'text', text: 'Report on costs: ready after 0 s.' }]);
  });

  it('answers ping', async () => {
    await expect(client.ping()).resolves.toEqual({});
  });

  it('closes the session with DELETE, after which the id is unknown', async () => {
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const response = await fetch(`${running.baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    expect(response.status).toBe(404);
  });
});

describe('sample app: the notes domain', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = withSdkSessions(await startApp({ imports: [AppModule] }));
  });

  afterAll(() => app.close());

  /** Adds a note with add_note and returns its id (from the returned resource link). */
  const addNote = async (session: SdkSession, title: string, text: string): Promise<string> => {
    const { content } = await session.client.callTool({ name: 'add_note', arguments: { title, text } });
    const link = (content as Array<{ type: string; uri?: string }>).find((block) => block.type === 'resource_link')!;
    return link.uri!.slice('notes://'.length);
  };

  const resourceUris = async (session: SdkSession) => (await session.client.listResources()).resources.map((resource) => resource.uri);

  it('adds a note: returns a link, logs it, and lists the note as a resource (list_changed)', async () => {
    const session = await app.connect();
    const logs = collect(session.client, LoggingMessageNotificationSchema);
    const listChanged = collect(session.client, ResourceListChangedNotificationSchema);
    const { content } = await session.client.callTool({ name: 'add_note', arguments: { title: 'Groceries', text: 'Milk, eggs' } });
    const [summary, link] = content as Array<Record<string, unknown>>;
    const id = (link.uri as string).slice('notes://'.length);
    expect(summary).toEqual({ type: 'text', text: `Added note ${id}.` });
    expect(link).toEqual({ type: 'resource_link', uri: `notes://${id}`, name: 'Groceries', mimeType: 'text/markdown' });
    expect(logs.items.map((message) => message.params)).toEqual([{ level: 'info', logger: 'notes', data: { event: 'note-added', id } }]);
    await listChanged.waitFor(undefined, 'resources/list_changed');
    expect(await resourceUris(session)).toEqual(expect.arrayContaining(['notes://index', 'notes://1', `notes://${id}`]));
  });

  it('reads the index and each note (template notes://{id}); an unknown note is -32002', async () => {
    const session = await app.connect({ listen: false });
    const id = await addNote(session, 'Plans', 'Ship the *notes* sample.');
    expect((await session.client.listResourceTemplates()).resourceTemplates).toEqual([
      { uriTemplate: 'notes://{id}', name: 'note', title: 'A note', mimeType: 'text/markdown' },
    ]);
    const index = await session.client.readResource({ uri: 'notes://index' });
    expect(index.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: expect.stringContaining(`- [Plans](notes://${id})`) });
    expect((await session.client.readResource({ uri: `notes://${id}` })).contents).toEqual([
      { uri: `notes://${id}`, mimeType: 'text/markdown', text: '# Plans\n\nShip the *notes* sample.\n' },
    ]);
    await expect(session.client.readResource({ uri: 'notes://999' })).rejects.toMatchObject({ code: -32002, data: { uri: 'notes://999' } });
  });

  it('tells subscribers when a note changes', async () => {
    const session = await app.connect();
    const id = await addNote(session, 'Draft', 'v1');
    const updates = collect(session.client, ResourceUpdatedNotificationSchema);
    await session.client.subscribeResource({ uri: `notes://${id}` });
    expect(textOf(await session.client.callTool({ name: 'update_note', arguments: { id, text: 'v2' } }))).toBe(`Updated note ${id}.`);
    await updates.waitFor((update) => update.params.uri === `notes://${id}`, 'the update of the note');
    expect((await session.client.readResource({ uri: `notes://${id}` })).contents[0]).toMatchObject({ text: '# Draft\n\nv2\n' });
  });

  it('searches with progress and structured results', async () => {
    const session = await app.connect({ listen: false });
    const id = await addNote(session, 'Zebra facts', 'Stripes.');
    const progress: Array<{ progress: number; total?: number }> = [];
    const result = await session.client.callTool({ name: 'search_notes', arguments: { query: 'zebra' } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    expect(result.structuredContent).toEqual({ matches: [{ id, title: 'Zebra facts' }] });
    expect(result.content).toContainEqual({ type: 'resource_link', uri: `notes://${id}`, name: 'Zebra facts', mimeType: 'text/markdown' });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ progress: progress.length, total: progress.length });
  });

  it('asks for confirmation before deleting when the client can elicit', async () => {
    const session = await app.connect({ capabilities: { elicitation: {} }, listen: false });
    const answers = [{ action: 'decline' }, { action: 'accept', content: { confirm: true } }];
    const asked: string[] = [];
    session.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return answers.shift() as never;
    });
    const id = await addNote(session, 'Old', 'obsolete');
    const remove = async () => textOf(await session.client.callTool({ name: 'delete_note', arguments: { id } }));
    expect(await remove()).toBe(`Kept note ${id}.`);
    expect(await remove()).toBe(`Deleted note ${id}.`);
    expect(asked).toEqual(['Delete the note "Old"?', 'Delete the note "Old"?']);
    expect(await resourceUris(session)).not.toContain(`notes://${id}`);
    await expect(session.client.readResource({ uri: `notes://${id}` })).rejects.toMatchObject({ code: -32002 });
  });

  it('deletes at once for a client that cannot elicit, and reports an unknown note as a tool error', async () => {
    const session = await app.connect({ listen: false });
    const id = await addNote(session, 'Temp', 'x');
    expect(textOf(await session.client.callTool({ name: 'delete_note', arguments: { id } }))).toBe(`Deleted note ${id}.`);
    const again = await session.client.callTool({ name: 'delete_note', arguments: { id } });
    expect(again).toEqual({ content: [{ type: 'text', text: `There is no note ${id}.` }], isError: true });
  });

  it("retitles a note with the client's model (sampling)", async () => {
    const session = await app.connect({ capabilities: { sampling: {} }, listen: false });
    session.client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: ' Weekly shopping list ' },
    }));
    const id = await addNote(session, 'untitled', 'Milk, eggs, bread');
    expect(textOf(await session.client.callTool({ name: 'retitle_note', arguments: { id } }))).toBe(
      `Renamed note ${id} to "Weekly shopping list".`,
    );
    expect((await session.client.listResources()).resources).toContainEqual(
      expect.objectContaining({ uri: `notes://${id}`, name: 'Weekly shopping list' }),
    );
  });

  it('offers a summarize_note prompt, completing note ids and styles', async () => {
    const session = await app.connect({ listen: false });
    const id = await addNote(session, 'Meeting', 'Decided to ship on Friday.');
    const complete = async (
      ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string },
      name: string,
      value: string,
    ) => (await session.client.complete({ ref, argument: { name, value } })).completion.values;
    expect(await complete({ type: 'ref/prompt', name: 'summarize_note' }, 'id', id)).toContain(id);
    expect(await complete({ type: 'ref/resource', uri: 'notes://{id}' }, 'id', '')).toEqual(expect.arrayContaining(['1', id]));
    expect(await complete({ type: 'ref/prompt', name: 'summarize_note' }, 'style', 'd')).toEqual(['detailed']);

    const prompt = (await session.client.listPrompts()).prompts.find((each) => each.name === 'summarize_note');
    expect(prompt?.arguments).toEqual([
      { name: 'id', description: 'Id of the note to summarise', required: true },
      { name: 'style', description: '"brief" (one sentence, the default) or "detailed"', required: false },
    ]);
    const { messages } = await session.client.getPrompt({ name: 'summarize_note', arguments: { id } });
    expect(messages).toEqual([
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: { uri: `notes://${id}`, mimeType: 'text/markdown', text: '# Meeting\n\nDecided to ship on Friday.\n' },
        },
      },
      { role: 'user', content: { type: 'text', text: 'Summarise this note in one sentence.' } },
    ]);
    await expect(session.client.getPrompt({ name: 'summarize_note', arguments: { id, style: 'poem' } })).rejects.toMatchObject({
      code: -32602,
    });
    await expect(session.client.getPrompt({ name: 'summarize_note', arguments: { id: '999' } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('There is no note 999.'),
    });
  });
});
