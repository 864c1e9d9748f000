import { Client, SdkError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpModule, McpRegistry } from '@nest-mcp/mcp';
import { startApp, type RunningApp } from './support/app.js';
import { Gate } from './support/gated-tools.js';
import { Inbox } from './support/sdk-session.js';
import { ModernTools } from './support/modern-tools.js';

/** A v2 SDK client pinned to 2026-07-28 that answers elicitation, sampling and roots requests. */
function modernClient(answers: { name?: string; mood?: string } = {}) {
  const client = new Client(
    { name: 'sdk-v2-e2e', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} }, sampling: {}, roots: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    const content: Record<string, string | boolean> = String(request.params.message).startsWith('How are you')
      ? { mood: answers.mood ?? 'fine' }
      : { name: answers.name ?? 'Ada', ok: true, topic: 'tides' };
    return { action: 'accept', content };
  });
  client.setRequestHandler('sampling/createMessage', async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'teal' },
    model: 'fake',
  }));
  client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  return client;
}

const textOf = (result: Record<string, unknown>) => (result.content as Array<{ text?: string }>)[0]?.text;

describe('official SDK clients of both eras against one server', () => {
  let running: RunningApp;
  let url: URL;
  const clients: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    running = await startApp({
      imports: [
        McpModule.forRoot({
          name: 'two-eras',
          version: '3.0.0',
          requestStateSecret: 'sdk-clients-secret-0123456789abcdefgh',
          sseKeepaliveMs: 0,
        }),
      ],
      providers: [Gate, ModernTools],
    });
    url = new URL(`${running.baseUrl}/mcp`);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });

  afterAll(() => running.close());

  async function connectModern(answers?: { name?: string; mood?: string }) {
    const client = modernClient(answers);
    await client.connect(new StreamableHTTPClientTransport(url));
    clients.push(client);
    return client;
  }

  async function connectLegacy() {
    const client = new V1Client({ name: 'sdk-v1-e2e', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) =>
      request.params.message.startsWith('How are you')
        ? { action: 'accept', content: { mood: 'sleepy' } }
        : { action: 'accept', content: { name: 'Old Timer' } },
    );
    await client.connect(new V1Transport(url));
    clients.push(client);
    return client;
  }

  it('serves a v2 client (2026-07-28) and a v1 client (2025 session) at the same time, same tools', async () => {
    const [modern, legacy] = await Promise.all([connectModern(), connectLegacy()]);
    expect(modern.getProtocolEra()).toBe('modern');
    expect(modern.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(modern.getServerVersion()).toMatchObject({ name: 'two-eras', version: '3.0.0' });
    expect(legacy.getServerVersion()).toMatchObject({ name: 'two-eras', version: '3.0.0' });

    const [modernTools, legacyTools] = await Promise.all([modern.listTools(), legacy.listTools()]);
    expect(modernTools.tools.map((tool) => tool.name)).toEqual(legacyTools.tools.map((tool) => tool.name));
    expect(textOf(await modern.callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('modern:a');
    expect(textOf(await legacy.callTool({ name: 'echo', arguments: { text: 'b' } }))).toBe('legacy:b');
  });

  it('runs one handler that asks the user: by MRTR rounds for v2, by requests on the session for v1', async () => {
    const [modern, legacy] = await Promise.all([connectModern({ name: 'Ada', mood: 'great' }), connectLegacy()]);
    expect(textOf(await modern.callTool({ name: 'greet', arguments: {} }))).toBe('Hello Ada, glad you feel great.');
    expect(textOf(await legacy.callTool({ name: 'greet', arguments: {} }))).toBe('Hello Old Timer, glad you feel sleepy.');
    expect(textOf(await modern.callTool({ name: 'survey', arguments: {} }))).toBe('Ada / teal / file:///work');
    expect((await modern.readResource({ uri: 'notes://asking/3' })).contents).toEqual([
      { uri: 'notes://asking/3', mimeType: 'text/plain', text: 'secret 3' },
    ]);
    expect((await modern.getPrompt({ name: 'intro' })).messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Talk about tides.' } },
    ]);
  });

  it('lets a v2 client in auto mode pick 2026-07-28 from server/discover', async () => {
    const client = new Client({ name: 'sdk-v2-auto', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(url));
    clients.push(client);
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getDiscoverResult()?.supportedVersions).toEqual(['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26']);
  });

  it('mirrors x-mcp-header arguments into Mcp-Param-* headers the server checks', async () => {
    const modern = await connectModern();
    await modern.listTools();
    const result = await modern.callTool({ name: 'locate', arguments: { region: 'eu-west', shard: 7, dryRun: false } });
    expect(JSON.parse(textOf(result)!)).toEqual({ region: 'eu-west', shard: 7, dryRun: false });
  });

  it('delivers list changes to a v2 listen, and logs at the level a v2 request asks for', async () => {
    const modern = await connectModern();
    const changes = new Inbox<unknown>();
    modern.setNotificationHandler('notifications/tools/list_changed', (notification) => changes.push(notification));
    const subscription = await modern.listen({ toolsListChanged: true, promptsListChanged: true });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true, promptsListChanged: true });
    running.app.get(McpRegistry).addTool({ name: 'added_later', description: 'Appears during the test.', handler: () => 'later' });
    try {
      const notification = (await changes.waitFor()) as { params: { _meta: Record<string, unknown> } };
      expect(notification.params._meta['io.modelcontextprotocol/subscriptionId']).toBeDefined();
    } finally {
      running.app.get(McpRegistry).removeTool('added_later');
      await subscription.close();
    }

    const logs = new Inbox<{ params: { level: string } }>();
    modern.setNotificationHandler('notifications/message', (notification) => logs.push(notification as never));
    await modern.callTool({ name: 'chatty', arguments: {}, _meta: { 'io.modelcontextprotocol/logLevel': 'debug' } });
    expect(logs.items.map((log) => log.params.level)).toEqual(['debug', 'warning']);
  });

  it('cancels the handler when a v2 client aborts its call', async () => {
    const modern = await connectModern();
    const gate = running.app.get(Gate);
    const controller = new AbortController();
    const call = modern.callTool({ name: 'hold', arguments: { key: 'sdk-abort' } }, { signal: controller.signal });
    await gate.reached('sdk-abort');
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(SdkError);
    for (let wait = 0; !gate.aborted.has('sdk-abort') && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gate.aborted.has('sdk-abort')).toBe(true);
  });
});
