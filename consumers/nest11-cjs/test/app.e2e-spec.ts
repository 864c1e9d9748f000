import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import request from 'supertest';
import { AppModule } from './../src/app.module';

describe.each([
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
])('AppController and MCP on %s (e2e)', (_platform, adapter) => {
  let app: INestApplication;
  let client: Client;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    const httpAdapter = adapter();
    app = httpAdapter ? moduleFixture.createNestApplication(httpAdapter) : moduleFixture.createNestApplication();
    await app.listen(0, '127.0.0.1');
    client = new Client({ name: 'nest11-cjs-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', await app.getUrl())));
  });

  it('/ (GET)', async () => {
    await request(app.getHttpServer()).get('/').expect(200).expect('Hello World!');
  });

  it('lists and calls the tool through the official SDK client', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'nest11-cjs', version: '0.0.1' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['greet']);
    expect(await client.callTool({ name: 'greet', arguments: { name: 'Ada' } })).toMatchObject({
      content: [{ type: 'text', text: 'Hello Ada!' }],
    });
  });

  it('reports invalid arguments as a tool error', async () => {
    const result = await client.callTool({ name: 'greet', arguments: { name: '' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('name');
  });

  afterEach(async () => {
    await client.close();
    await app.close();
  });
});
