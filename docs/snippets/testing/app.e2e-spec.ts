import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { AppModule } from '../quick-start/app.module.js';

describe('MCP endpoint (e2e)', () => {
  let app: INestApplication;
  let client: Client;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1'); // a real port: the client speaks HTTP
    client = new Client({ name: 'e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', await app.getUrl())));
  });

  afterEach(async () => {
    await client.close();
    await app.close();
  });

  it('adds', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
  });

  it('tells the model about invalid arguments', async () => {
    const result = await client.callTool({ name: 'add', arguments: { a: 'two', b: 40 } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: expect.stringContaining('Invalid arguments for tool add') }]);
  });
});
