import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AppModule } from '../apps/sample/src/app.module.js';
import { startApp, type RunningApp } from './support/app.js';

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
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'count_slowly', 'echo']);
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
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/Invalid arguments for tool add: a: .*number/);
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
