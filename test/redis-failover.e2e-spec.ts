import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppInstance, InstanceRouter, startOnRedis } from './support/app-instances.js';
import { openSession, postMcp, SseReader } from './support/http.js';
import { RedisServer } from './support/redis-server.js';

/** Documented bound: the fate of a request is known within leaseTtlMs + orphanSweepIntervalMs of its instance's death. */
const LEASE_TTL_MS = 1_500;
const SWEEP_MS = 500;
const FATE_BOUND_MS = LEASE_TTL_MS + SWEEP_MS + 1_000;

const A = 0;
const B = 1;

const slowCount = (id: number, steps: number, intervalMs: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'slow_count', arguments: { steps, intervalMs }, _meta: { progressToken: `p${id}` } },
});

const resume = (url: string, sessionId: string, lastEventId: string) =>
  fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'last-event-id': lastEventId } });

/** Every message of a stream until it ends. */
async function readAll(reader: SseReader, timeoutMs = 10_000): Promise<Array<{ id?: string; message: Record<string, any> }>> {
  const messages: Array<{ id?: string; message: Record<string, any> }> = [];
  for (let next = await reader.nextMessage(timeoutMs); next; next = await reader.nextMessage(timeoutMs)) messages.push(next);
  return messages;
}

/** Instance death and redeploys with three app processes on one Redis: no request is left hanging. */
describe('instance death and shutdown, three processes on one Redis', () => {
  let redis: RedisServer;
  let instances: AppInstance[];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const env = { MCP_LEASE_TTL_MS: String(LEASE_TTL_MS), MCP_ORPHAN_SWEEP_MS: String(SWEEP_MS), MCP_SHUTDOWN_GRACE_MS: '5000' };
    ({ redis, instances, stop } = await startOnRedis(3, (processEnv) => AppInstance.start(processEnv), env));
  }, 60_000);

  afterAll(() => stop?.());

  afterEach(async () => {
    for (const instance of instances) if (!instance.alive) await instance.restart();
  });

  it('ends a request whose instance was killed (kill -9) with one retryable error, within the bound, for a client resuming anywhere', async () => {
    const sessionId = await openSession(instances[B].url);
    const post = new SseReader(await postMcp(instances[A].url, slowCount(7, 1_000, 100), { sessionId }));
    await post.next();
    const progress = await post.nextMessage();
    expect(progress?.message.params.progress).toBe(1);

    await instances[A].kill();
    const killedAt = Date.now();
    const rest = await readAll(new SseReader(await resume(instances[B].url, sessionId, progress!.id!)), FATE_BOUND_MS);

    const final = rest.at(-1)!;
    expect(final.message).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32603,
        message: 'The instance serving this request stopped before the request finished; it may be retried.',
        data: { retryable: true },
      },
    });
    expect(Date.now() - killedAt).toBeLessThan(FATE_BOUND_MS);
    expect(rest.slice(0, -1).every((event) => event.message.method === 'notifications/progress')).toBe(true);
    // Exactly once: a replay of the whole stream from another instance ends with that one error.
    const streamId = progress!.id!.split('.')[0];
    const replay = await readAll(new SseReader(await resume(instances[B + 1].url, sessionId, `${streamId}.0`)));
    expect(replay.filter((event) => 'error' in event.message || 'result' in event.message)).toEqual([final]);
  }, 30_000);

  it('never ends the stream of a slow but live instance: a request longer than the lease delivers its result', async () => {
    const sessionId = await openSession(instances[A].url);
    const post = new SseReader(await postMcp(instances[A].url, slowCount(8, 8, 500), { sessionId }));
    await post.next();
    const progress = await post.nextMessage();
    await post.cancel();

    const rest = await readAll(new SseReader(await resume(instances[B].url, sessionId, progress!.id!)));
    expect(rest.at(-1)!.message).toMatchObject({ id: 8, result: { content: [{ text: `counted 8 on ${instances[A].port}` }] } });
    expect(rest.filter((event) => 'error' in event.message)).toEqual([]);
  }, 30_000);

  it('on SIGTERM lets a running request finish and delivers its result to the client resuming on another instance', async () => {
    const sessionId = await openSession(instances[B].url);
    const abort = new AbortController();
    const post = new SseReader(await postMcp(instances[A].url, slowCount(9, 6, 250), { sessionId, signal: abort.signal }));
    await post.next();
    const progress = await post.nextMessage();
    abort.abort();

    const stopping = instances[A].stop();
    // Once the signal is handled, A takes no new request: 503 until its server closes.
    for (;;) {
      const ping = await postMcp(instances[A].url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { sessionId }).catch(() => undefined);
      if (!ping) break;
      await ping.text();
      if (ping.status === 503) break;
      expect(ping.status).toBe(200);
      await sleep(20);
    }
    const rest = await readAll(new SseReader(await resume(instances[B].url, sessionId, progress!.id!)));
    expect(rest.at(-1)!.message).toMatchObject({ id: 9, result: { content: [{ text: `counted 6 on ${instances[A].port}` }] } });
    await stopping;
  }, 30_000);

  it('delivers a burst of resource notifications raised across the kill -9 of the GET stream holder, once each and in order', async () => {
    const router = new InstanceRouter(instances);
    router.route = ({ httpMethod, tool }) => (httpMethod === 'GET' ? A : tool === 'touch_resources' ? B : undefined);
    const client = new Client({ name: 'burst', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(instances[A].url), {
      fetch: router.fetch,
      reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 300, reconnectionDelayGrowFactor: 1.5, maxRetries: 100 },
    });
    await client.connect(transport);
    try {
      const uris = Array.from({ length: 12 }, (_, index) => `test://burst/${index + 1}`);
      for (const uri of uris) await client.subscribeResource({ uri });
      const received: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, ({ params }) => void received.push(params.uri));
      for (let wait = 0; !router.log.some((entry) => entry.httpMethod === 'GET' && entry.status === 200) && wait < 100; wait++)
        await sleep(50);

      await client.callTool({ name: 'touch_resources', arguments: { uris, intervalMs: 60 } });
      while (received.length < 3) await sleep(10);
      await instances[A].kill();

      for (let wait = 0; received.length < uris.length && wait < 200; wait++) await sleep(50);
      await sleep(300);
      expect(received).toEqual(uris);
      expect(router.log.filter((entry) => entry.httpMethod === 'GET' && entry.lastEventId !== undefined).length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }, 30_000);

  it('hands a tool the answer its client posted to another instance right after Redis restarted', async () => {
    const C = 2;
    const router = new InstanceRouter(instances);
    router.route = ({ tool, rpc }) => (tool === 'ask' ? B : rpc === 'response' ? C : undefined);
    const client = new Client({ name: 'redis-restart', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    let asked!: () => void;
    const question = new Promise<void>((resolve) => (asked = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked();
      await answered;
      return { action: 'accept', content: { answer: 'forty-two' } };
    });
    const transport = new StreamableHTTPClientTransport(new URL(instances[A].url), { fetch: router.fetch });
    await client.connect(transport);
    try {
      const call = client.callTool({ name: 'ask', arguments: { question: 'The answer?' } });
      await question;

      await redis.stop({ save: true });
      await redis.restart({ keepData: true });
      // As soon as C can take the answer again, the client sends it; B may still be reconnecting.
      for (let wait = 0; wait < 200; wait++) {
        const probe = await postMcp(instances[C].url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { sessionId: transport.sessionId }).catch(
          () => undefined,
        );
        const status = probe?.status;
        await probe?.text();
        if (status === 200) break;
        await sleep(50);
      }
      answer();

      const result = await call;
      expect((result.content as Array<{ text: string }>)[0].text).toBe(`${instances[B].port}: accept forty-two`);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('loses and repeats no response while the three instances restart one after another under load', async () => {
    const router = new InstanceRouter(instances);
    router.failover = true;
    const clients: Client[] = [];
    const results: string[] = [];
    const failures: unknown[] = [];
    let calls = 0;
    let running = true;
    const worker = async () => {
      const client = new Client({ name: 'rolling-restart', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(instances[A].url), { fetch: router.fetch }));
      clients.push(client);
      while (running) {
        const call = ++calls;
        try {
          const result = await client.callTool({ name: 'slow_count', arguments: { steps: 3, intervalMs: 40 } }, undefined, {
            onprogress: () => undefined,
          });
          results.push(`${call}:${(result.content as Array<{ text: string }>)[0].text.split(' on ')[0]}`);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await sleep(500);
    for (const instance of instances) {
      await instance.restart();
      await sleep(300);
    }
    running = false;
    await Promise.all(workers);
    await Promise.all(clients.map((client) => client.close()));

    expect(failures).toEqual([]);
    expect(results).toHaveLength(calls);
    expect(new Set(results).size).toBe(calls);
    expect(results.every((result) => result.endsWith(':counted 3'))).toBe(true);
  }, 90_000);
});

describe('starting while Redis is down', () => {
  it('starts, answers 503 and reports not ready, then serves once Redis is reachable', async () => {
    const redis = await RedisServer.start();
    await redis.stop();
    const instance = await AppInstance.start({ REDIS_URL: redis.url });
    try {
      const ready = () => fetch(`http://127.0.0.1:${instance.port}/instance/ready`).then((response) => response.status);
      expect(await ready()).toBe(503);
      const refused = await postMcp(instance.url, {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '5']);
      await refused.text();

      await redis.restart({ keepData: false });
      for (let wait = 0; (await ready()) !== 200 && wait < 200; wait++) await sleep(100);
      expect(await ready()).toBe(200);
      expect(await openSession(instance.url)).toMatch(/^[\x21-\x7e]+$/);
    } finally {
      await instance.stop();
      await redis.dispose();
    }
  }, 60_000);

  it('refuses to start with failFastOnStartup', async () => {
    const redis = await RedisServer.start();
    await redis.stop();
    try {
      await expect(AppInstance.start({ REDIS_URL: redis.url, MCP_FAIL_FAST: '1' })).rejects.toThrow(/exited/);
    } finally {
      await redis.dispose();
    }
  }, 60_000);
});
