import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './support/eventually.js';
import { AppInstance, InstanceRouter, startOnRedis } from './support/app-instances.js';
import { openSession, postMcp } from './support/http.js';
import { RedisServer } from './support/redis-server.js';

const A = 0;
const B = 1;
const C = 2;

const callTool = (name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: randomUUID(),
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('three app processes sharing one Redis, driven by the official SDK client', () => {
  let redis: RedisServer;
  let instances: AppInstance[];
  let stop: () => Promise<void>;
  const clients: Client[] = [];

  beforeAll(async () => {
    const env = { MCP_REQUEST_STATE_SECRET: 'multi-instance-secret-0123456789abcdef' };
    ({ redis, instances, stop } = await startOnRedis(3, (processEnv) => AppInstance.start(processEnv), env));
  }, 60_000);

  afterAll(() => stop?.());

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    for (const instance of instances) {
      if (!instance.alive) throw new Error(`instance ${instance.port} died:\n${instance.logs}`);
    }
  });

  async function connect(router: InstanceRouter, capabilities: ClientCapabilities = {}) {
    const client = new Client({ name: 'multi-instance-e2e', version: '1.0.0' }, { capabilities });
    const transport = new StreamableHTTPClientTransport(new URL(instances[A].url), {
      fetch: router.fetch,
      reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 500, reconnectionDelayGrowFactor: 1.5, maxRetries: 100 },
    });
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  /** Resolves once the client's GET stream is open on an instance. */
  const standaloneStreamOpen = (router: InstanceRouter, index: number) =>
    eventually(() =>
      expect(router.log).toContainEqual(expect.objectContaining({ httpMethod: 'GET', port: instances[index].port, status: 200 })),
    );

  const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ text: string }>)[0].text;

  it('spreads one session over the instances: initialize on A, tools/call on B, DELETE on C', async () => {
    const router = new InstanceRouter(instances);
    router.route = ({ httpMethod, rpc }) => (rpc === 'initialize' ? A : rpc === 'tools/call' ? B : httpMethod === 'DELETE' ? C : undefined);
    const { client, transport } = await connect(router);
    const sessionId = transport.sessionId!;

    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(String(instances[B].port));
    await client.listTools();
    await client.listTools();
    await transport.terminateSession();

    expect(router.log.find((entry) => entry.rpc === 'initialize')?.port).toBe(instances[A].port);
    expect(router.log.find((entry) => entry.rpc === 'tools/call')?.port).toBe(instances[B].port);
    expect(router.log.find((entry) => entry.httpMethod === 'DELETE')).toMatchObject({ port: instances[C].port, status: 204 });
    const listPorts = router.log.filter((entry) => entry.rpc === 'tools/list').map((entry) => entry.port);
    expect(listPorts[0]).not.toBe(listPorts[1]);
    for (const instance of instances) {
      const response = await postMcp(instance.url, callTool('whoami'), { sessionId });
      expect(response.status).toBe(404);
    }
  });

  it('delivers resources/updated and list_changed caused on B and C exactly once to the GET stream on A', async () => {
    const router = new InstanceRouter(instances);
    router.route = ({ httpMethod, tool }) =>
      httpMethod === 'GET' ? A : tool === 'touch_resource' ? B : tool === 'add_tool' ? C : undefined;
    const { client } = await connect(router);
    const updated: string[] = [];
    let listChanged = 0;
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, ({ params }) => void updated.push(params.uri));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    await client.subscribeResource({ uri: 'test://watched' });
    await standaloneStreamOpen(router, A);

    expect(textOf(await client.callTool({ name: 'touch_resource', arguments: { uri: 'test://watched' } }))).toBe(String(instances[B].port));
    expect(textOf(await client.callTool({ name: 'touch_resource', arguments: { uri: 'test://not-subscribed' } }))).toBe(
      String(instances[B].port),
    );
    expect(textOf(await client.callTool({ name: 'add_tool', arguments: { name: `added-${randomUUID()}` } }))).toBe(
      String(instances[C].port),
    );

    await eventually(() => expect(updated.length + listChanged).toBeGreaterThanOrEqual(2));
    await sleep(500);
    expect(updated).toEqual(['test://watched']);
    expect(listChanged).toBe(1);
    expect(router.log.filter((entry) => entry.httpMethod === 'GET').map((entry) => entry.port)).toEqual([instances[A].port]);
  });

  it('lands the answer to an elicitation from a tool on B on C, and the tool completes', async () => {
    const router = new InstanceRouter(instances);
    router.route = ({ rpc }) => (rpc === 'tools/call' ? B : rpc === 'response' ? C : undefined);
    const { client, transport } = await connect(router, { elicitation: {} });
    const questions: Array<{ id: string | number; message: string }> = [];
    client.setRequestHandler(ElicitRequestSchema, async ({ params }, { requestId }) => {
      questions.push({ id: requestId, message: params.message });
      return { action: 'accept', content: { answer: 'forty-two' } };
    });

    const result = await client.callTool({ name: 'ask', arguments: { question: 'The answer?' } });

    expect(textOf(result)).toBe(`${instances[B].port}: accept forty-two`);
    expect(questions.map((question) => question.message)).toEqual(['The answer?']);
    // The tool's result may arrive before the 202 that answered the client's POST.
    await eventually(() =>
      expect(router.log.find((entry) => entry.rpc === 'response')).toMatchObject({ port: instances[C].port, status: 202 }),
    );
    // The same answer again: forwarded to B, where nothing waits for it any more, and dropped there.
    const late = await postMcp(
      instances[C].url,
      { jsonrpc: '2.0', id: questions[0].id, result: { action: 'decline' } },
      {
        sessionId: transport.sessionId!,
      },
    );
    expect(late.status).toBe(202);
    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(String(instances[B].port));
  });

  it('completes a 2026-07-28 input_required round asked on A with the retry on B, and refuses its state on C after', async () => {
    const router = new InstanceRouter(instances);
    let asks = 0;
    router.route = (request) => (request.tool === 'ask' ? (asks++ === 0 ? A : B) : undefined);
    const client = new ModernClient(
      { name: 'multi-instance-v2', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    let requestState: string | undefined;
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { answer: 'forty-two' } }));
    const recording = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await router.fetch(input, init);
      if (typeof init?.body === 'string' && init.body.includes('"requestState"')) requestState = JSON.parse(init.body).params.requestState;
      return response;
    };
    await client.connect(new ModernTransport(new URL(instances[A].url), { fetch: recording }));
    clients.push(client as unknown as Client);

    const result = await client.callTool({ name: 'ask', arguments: { question: 'The answer?' } });
    expect((result.content as Array<{ text: string }>)[0].text).toBe(`${instances[B].port}: accept forty-two`);
    expect(router.log.filter((entry) => entry.tool === 'ask').map((entry) => entry.port)).toEqual([instances[A].port, instances[B].port]);

    const replay = await fetch(instances[C].url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'ask',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'ask',
          arguments: { question: 'The answer?' },
          inputResponses: { elicitation_1: { action: 'accept', content: { answer: 'replayed' } } },
          requestState,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
          },
        },
      }),
    });
    expect(((await replay.json()) as { error: { code: number; message: string } }).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('already used'),
    });
  });

  it('delivers a tools list_changed caused on B to a 2026-07-28 listen held by A', async () => {
    const router = new InstanceRouter(instances);
    router.route = (request) => (request.rpc === 'subscriptions/listen' ? A : request.tool === 'add_tool' ? B : undefined);
    const client = new ModernClient(
      { name: 'multi-instance-listen', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new ModernTransport(new URL(instances[A].url), { fetch: router.fetch }));
    clients.push(client as unknown as Client);
    const changed: unknown[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', (notification) => void changed.push(notification));
    const subscription = await client.listen({ toolsListChanged: true });
    try {
      await client.callTool({ name: 'add_tool', arguments: { name: `v2_${randomUUID().slice(0, 8)}` } });
      await eventually(() => expect(changed).toHaveLength(1));
      expect(router.log.find((entry) => entry.rpc === 'subscriptions/listen')?.port).toBe(instances[A].port);
      expect(router.log.find((entry) => entry.tool === 'add_tool')?.port).toBe(instances[B].port);
    } finally {
      await subscription.close();
    }
  });

  it('aborts a tool running on B when the cancellation is sent to C', async () => {
    const router = new InstanceRouter(instances);
    router.route = ({ rpc }) => (rpc === 'tools/call' ? B : rpc === 'notifications/cancelled' ? C : undefined);
    const { client } = await connect(router);
    const marker = randomUUID();
    const cancel = new AbortController();

    const call = client.callTool({ name: 'block', arguments: { marker } }, undefined, { signal: cancel.signal });
    call.catch(() => undefined);
    await eventually(async () => expect((await instances[B].state()).started).toContain(marker));
    cancel.abort('changed my mind');

    await expect(call).rejects.toThrow();
    await eventually(async () => expect((await instances[B].state()).aborted).toContain(marker));
    await eventually(() =>
      expect(router.log.find((entry) => entry.rpc === 'notifications/cancelled')).toMatchObject({ port: instances[C].port, status: 202 }),
    );
  });

  it('holds many GET streams with two Redis connections per instance', async () => {
    const streams = 300;
    const sessions = await Promise.all(Array.from({ length: streams }, () => openSession(instances[A].url)));
    const abort = new AbortController();
    try {
      const responses = await Promise.all(
        sessions.map((sessionId) =>
          fetch(instances[A].url, {
            headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
            signal: abort.signal,
          }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(sessions.map(() => 200));
      const clientList = (await redis.cli('CLIENT', 'LIST')).split('\n').filter(Boolean);
      // Every instance: one command and one subscriber connection; plus the redis-cli asking.
      expect(clientList).toHaveLength(instances.length * 2 + 1);
    } finally {
      abort.abort();
      await Promise.all(
        sessions.map((sessionId) => fetch(instances[B].url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } })),
      );
    }
  });

  it('leaves no key behind after 10,000 sessions were created and closed', async () => {
    const keysBefore = Number(await redis.cli('DBSIZE'));
    const rssBefore = instances.map((instance) => instance.rssKiB());
    let next = 0;
    const worker = async () => {
      while (next < 10_000) {
        const index = next++;
        const sessionId = await openSession(instances[index % 3].url);
        const closed = await fetch(instances[(index + 1) % 3].url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
        expect(closed.status).toBe(204);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));

    expect(Number(await redis.cli('DBSIZE'))).toBe(keysBefore);
    const rssAfter = instances.map((instance) => instance.rssKiB());
    process.stdout.write(
      `10,000 sessions created and closed: Redis keys ${keysBefore} -> ${await redis.cli('DBSIZE')}, ` +
        `RSS per instance (MiB) ${rssBefore.map((kib) => (kib / 1024).toFixed(1)).join('/')} -> ` +
        `${rssAfter.map((kib) => (kib / 1024).toFixed(1)).join('/')}\n`,
    );
  }, 120_000);

  it('resumes the GET stream on another instance after kill -9 of the one holding it, missing and repeating nothing', async () => {
    const router = new InstanceRouter(instances);
    router.route = ({ httpMethod, tool }) => (httpMethod === 'GET' ? A : tool === 'emit' ? B : undefined);
    const { client } = await connect(router);
    const received: number[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => void received.push(params.data as number));
    await standaloneStreamOpen(router, A);

    const count = 40;
    await client.callTool({ name: 'emit', arguments: { count, intervalMs: 40 } });
    await eventually(() => expect(received.length).toBeGreaterThanOrEqual(10));
    await instances[A].kill();

    await eventually(() => expect(received.length).toBeGreaterThanOrEqual(count), 15_000);
    await sleep(300);
    expect(received).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    const resumed = router.log.filter((entry) => entry.httpMethod === 'GET' && entry.lastEventId !== undefined);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((entry) => entry.port !== instances[A].port)).toBe(true);

    await instances[A].restart();
  }, 60_000);

  describe('Redis restarted mid-run', () => {
    async function expect503Everywhere(sessionId: string): Promise<void> {
      // An instance serves the sessions it has cached until it sees its Redis connection close,
      // which its socket reports a moment after redis-server exits: from then on, 503.
      await eventually(async () => {
        for (const instance of instances) {
          expect(await (await fetch(`http://127.0.0.1:${instance.port}/instance/host`)).json()).toEqual({ connected: false });
        }
      });
      for (const instance of instances) {
        const started = Date.now();
        const response = await postMcp(instance.url, callTool('whoami'), { sessionId });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(Date.now() - started).toBeLessThan(5_000);
      }
    }

    it('answers 503 while it is down, then the same session works on, GET stream included (data kept)', async () => {
      const router = new InstanceRouter(instances);
      const { client, transport } = await connect(router);
      const received: number[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => void received.push(params.data as number));
      await eventually(() => expect(router.log).toContainEqual(expect.objectContaining({ httpMethod: 'GET', status: 200 })));
      await client.callTool({ name: 'whoami', arguments: {} });

      await redis.stop({ save: true });
      await expect503Everywhere(transport.sessionId!);
      await redis.restart({ keepData: true });

      await eventually(() => client.callTool({ name: 'whoami', arguments: {} }), 15_000);
      expect(transport.sessionId).toBeDefined();
      await client.callTool({ name: 'emit', arguments: { count: 1, intervalMs: 0 } });
      await eventually(() => expect(received).toEqual([1]), 15_000);
    }, 60_000);

    it('answers 503 while it is down, then 404 for the lost session, and a new session works (data lost)', async () => {
      const router = new InstanceRouter(instances);
      const { client, transport } = await connect(router);
      const sessionId = transport.sessionId!;

      await redis.stop();
      await expect503Everywhere(sessionId);
      await redis.restart({ keepData: false });

      await eventually(async () => {
        for (const instance of instances) expect((await postMcp(instance.url, callTool('whoami'), { sessionId })).status).toBe(404);
      }, 15_000);
      await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/404|not found/i);
      const again = await connect(new InstanceRouter(instances));
      expect(textOf(await again.client.callTool({ name: 'whoami', arguments: {} }))).toMatch(/^\d+$/);
    }, 60_000);
  });
});
