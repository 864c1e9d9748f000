import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import request from 'supertest';
import { App } from 'supertest/types.js';
import { AppModule } from './../src/app.module.js';

describe.each([
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
])('AppController and MCP on %s (e2e)', (_platform, adapter) => {
  let app: INestApplication<App>;
  let endpoint: URL;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    const httpAdapter = adapter();
    app = httpAdapter ? moduleFixture.createNestApplication(httpAdapter) : moduleFixture.createNestApplication();
    await app.listen(0, '127.0.0.1');
    endpoint = new URL('/mcp', await app.getUrl());
  });

  it('/ (GET)', async () => {
    await request(app.getHttpServer()).get('/').expect(200).expect('Hello World!');
  });

  it('serves a 2025-11-25 session to the SDK v1 client', async () => {
    const client = new Client({ name: 'nest12-esm-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint));
    expect(client.getServerVersion()).toMatchObject({ name: 'nest12-esm', version: '0.0.1' });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['greet']);
    expect(await client.callTool({ name: 'greet', arguments: { name: 'Ada' } })).toMatchObject({
      content: [{ type: 'text', text: 'Hello Ada!' }],
    });
    await client.close();
  });

  it('serves 2026-07-28 to the SDK v2 client', async () => {
    const client = new ClientV2({ name: 'nest12-esm-e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new TransportV2(endpoint));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(await client.callTool({ name: 'greet', arguments: { name: 'Grace' } })).toMatchObject({
      content: [{ type: 'text', text: 'Hello Grace!' }],
    });
    const invalid = await client.callTool({ name: 'greet', arguments: { name: '' } });
    expect(invalid.isError).toBe(true);
    await client.close();
  });

  afterEach(async () => {
    await app.close();
  });
});
