import { Injectable } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpModule, McpTool, type McpContext } from '@nest-mcp/mcp';
import { RedisSessionHost } from '@nest-mcp/mcp-redis';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApp, type RunningApp } from './support/app.js';
import { RedisServer } from './support/redis-server.js';

@Injectable()
class LoggingTools {
  @McpTool({ name: 'log_debug', description: 'Logs at debug level, then answers.' })
  async logDebug(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.log('debug', 'a debug line');
    return 'logged';
  }
}

/** Commands the server has answered, other than the `INFO` that asks. */
async function commandsServed(server: RedisServer): Promise<number> {
  const stats = (await server.cli('INFO', 'commandstats'))
    .split('\n')
    .filter((line) => line.startsWith('cmdstat_') && !line.startsWith('cmdstat_info:'));
  return stats.reduce((sum, line) => sum + Number(/calls=(\d+)/.exec(line)![1]), 0);
}

/** The command count once Redis has seen none for 300 ms. */
async function quiet(server: RedisServer): Promise<number> {
  for (let last = -1; ;) {
    const now = await commandsServed(server);
    if (now === last) return now;
    last = now;
    await sleep(300);
  }
}

/** Each instance keeps the sessions it serves, so a request on an open session costs Redis nothing. */
describe('session metadata cached per instance (Redis host)', () => {
  let redis: RedisServer;
  const apps: RunningApp[] = [];
  const clients: Client[] = [];

  const startInstance = async (notificationWindowMs = 60_000) => {
    const sessionHost = new RedisSessionHost({ url: redis.url });
    // Long leases and sweeps: nothing but the requests talks to Redis during a test.
    const options = {
      name: 'cached',
      version: '1.0.0',
      sessionHost,
      leaseTtlMs: 60_000,
      orphanSweepIntervalMs: 60_000,
      notificationWindowMs,
    };
    const running = await startApp({ imports: [McpModule.forRoot(options)], providers: [LoggingTools] });
    apps.push(running);
    return { url: new URL(`${running.baseUrl}/mcp`), close: () => sessionHost.close() };
  };

  const connect = async (url: URL, sessionId?: string) => {
    const client = new Client({ name: 'cache-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(url, sessionId ? { sessionId } : {});
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(apps.splice(0).map((running) => running.close()));
  });

  afterAll(() => redis.dispose());

  it('answers tool calls on an open session without a Redis command', async () => {
    const instance = await startInstance();
    const { client } = await connect(instance.url);
    await client.callTool({ name: 'log_debug', arguments: {} });
    const before = await quiet(redis); // the client's GET stream is open and claimed

    for (let call = 0; call < 50; call++)
      expect(await client.callTool({ name: 'log_debug', arguments: {} })).toMatchObject({ content: [{ text: 'logged' }] });

    expect((await commandsServed(redis)) - before).toBe(0);
    await instance.close();
  });

  it('costs Redis nothing while GET streams stay open and idle', async () => {
    // A short notification window: anything renewed per stream within it would show.
    const instance = await startInstance(300);
    const sessions = await Promise.all(Array.from({ length: 5 }, () => connect(instance.url)));
    await Promise.all(sessions.map(({ client }) => client.callTool({ name: 'log_debug', arguments: {} })));
    const before = await quiet(redis);

    await sleep(1_500);

    expect((await commandsServed(redis)) - before).toBe(0);
    await instance.close();
  });

  it('applies a log level set through another instance to the session it already serves', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const { client, transport } = await connect(a.url);
    const logged: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => void logged.push(params.data));
    await client.callTool({ name: 'log_debug', arguments: {} });
    expect(logged).toEqual([]); // below the default level (info): A now holds the session as it was

    const { client: other } = await connect(b.url, transport.sessionId);
    await other.setLoggingLevel('debug');
    await client.callTool({ name: 'log_debug', arguments: {} });

    expect(logged).toEqual(['a debug line']);
    await Promise.all([a.close(), b.close()]);
  });

  it('forgets a session deleted through another instance', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const { client, transport } = await connect(a.url);
    await client.callTool({ name: 'log_debug', arguments: {} });

    const { transport: other } = await connect(b.url, transport.sessionId);
    await other.terminateSession();

    const afterDelete = await fetch(a.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'log_debug', arguments: {} } }),
    });
    expect(afterDelete.status).toBe(404);
    await afterDelete.text();
    await Promise.all([a.close(), b.close()]);
  });
});
