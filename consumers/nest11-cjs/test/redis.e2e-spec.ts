import { Test } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { McpRedisModule, RedisSessionHost } from '@nest-mcp/mcp-redis';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { AppService } from './../src/app.service';
import { GreetingTools } from './../src/greeting.tools';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    redis.once('error', reject);
    redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    redis.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  return redis;
}

async function startInstance(url: string): Promise<INestApplication> {
  const moduleFixture = await Test.createTestingModule({
    imports: [
      McpModule.forRootAsync({
        imports: [McpRedisModule.forRoot({ url })],
        inject: [RedisSessionHost],
        useFactory: (sessionHost: RedisSessionHost) => ({ name: 'nest11-cjs', version: '0.0.1', sessionHost }),
      }),
    ],
    providers: [AppService, GreetingTools],
  }).compile();
  const app = moduleFixture.createNestApplication();
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('MCP on the Redis session host, two instances (e2e)', () => {
  let redis: ChildProcess;
  let instances: INestApplication[];

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    instances = [await startInstance(`redis://127.0.0.1:${port}`), await startInstance(`redis://127.0.0.1:${port}`)];
  });

  it('serves a session opened on one instance from the other', async () => {
    const [first, second] = await Promise.all(instances.map(async (app) => new URL('/mcp', await app.getUrl())));
    const opener = new Client({ name: 'nest11-cjs-e2e', version: '1.0.0' });
    const openerTransport = new StreamableHTTPClientTransport(first);
    await opener.connect(openerTransport);

    // A client that resumes the session on the other instance (the SDK skips initialize when it has a session id).
    const resumer = new Client({ name: 'nest11-cjs-e2e', version: '1.0.0' });
    await resumer.connect(new StreamableHTTPClientTransport(second, { sessionId: openerTransport.sessionId }));
    expect(await resumer.callTool({ name: 'greet', arguments: { name: 'Lin' } })).toMatchObject({
      content: [{ type: 'text', text: 'Hello Lin!' }],
    });
    await opener.close();
  });

  afterAll(async () => {
    await Promise.all((instances ?? []).map((app) => app.close()));
    redis?.kill();
  });
});
