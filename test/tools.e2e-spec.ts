import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpModule } from '@nest-mcp/mcp';
import { Gate, GatedTools } from './support/gated-tools.js';
import { startApp, type RunningApp } from './support/app.js';
import { RecordingLogger } from './support/recording-logger.js';

type TextResult = { content: Array<{ type: string; text: string }>; isError?: boolean };

describe('tool results and errors (official SDK client)', () => {
  let running: RunningApp;
  let client: Client;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    running = await startApp(
      {
        imports: [McpModule.forRoot({ name: 'tools', version: '1.0.0' })],
        providers: [Gate, GatedTools],
      },
      undefined,
      logger,
    );
    client = new Client({ name: 'tools-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${running.baseUrl}/mcp`)));
  });

  afterAll(async () => {
    await client.close();
    await running.close();
  });

  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as TextResult;

  it('keeps the message of a Nest HttpException', async () => {
    expect(await call('forbidden')).toEqual({ content: [{ type: 'text', text: 'You may not read these notes.' }], isError: true });
  });

  it('keeps the message of an McpToolError', async () => {
    expect(await call('tool_error')).toEqual({ content: [{ type: 'text', text: 'The note store is read-only today.' }], isError: true });
  });

  it('hides the message and stack of any other error', async () => {
    const result = await call('crash');
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toBe('Tool crash failed with an internal error.');
    expect(JSON.stringify(result)).not.toMatch(/hunter2|postgres|\.ts:\d+/);
    // The server's log keeps what the client must not see: the message and the stack.
    expect(logger.errors).toContainEqual(
      expect.stringMatching(
        /^Tool crash \(GatedTools\.crash\) failed\nError: connection to postgres:\/\/admin:hunter2@db failed\n\s+at GatedTools\.crash/,
      ),
    );
  });

  it('validates arguments with a compiled JSON Schema (ajv) before the method runs', async () => {
    expect(await call('json_schema_args', { count: 2, email: 'a@b.example' })).toEqual({
      content: [{ type: 'text', text: '{"count":2,"email":"a@b.example"}' }],
    });
    const missing = await call('json_schema_args', {});
    expect(missing.isError).toBe(true);
    expect(missing.content[0].text).toBe("Invalid arguments for tool json_schema_args: arguments must have required property 'count'");
    const wrong = await call('json_schema_args', { count: 0, email: 'nope', extra: true });
    expect(wrong.content[0].text).toContain('arguments/count must be >= 1');
    expect(wrong.content[0].text).toContain('arguments/email must match format "email"');
    expect(wrong.content[0].text).toContain('must NOT have additional properties');
  });

  it('sends a plain JSON Schema input to clients unchanged', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'json_schema_args')?.inputSchema).toEqual({
      type: 'object',
      properties: { count: { type: 'integer', minimum: 1 }, email: { type: 'string', format: 'email' } },
      required: ['count'],
      additionalProperties: false,
    });
  });

  it('reports structured content that breaks the output schema as a tool error', async () => {
    const result = await call('bad_output');
    expect(result).toEqual({
      content: [{ type: 'text', text: 'Tool bad_output returned structured content that does not match its output schema.' }],
      isError: true,
    });
    expect(logger.errors).toContainEqual(
      expect.stringContaining('Tool bad_output (GatedTools.badOutput) returned invalid structured content: total:'),
    );
  });

  it('gives handlers the caller (anonymous without auth)', async () => {
    expect((await call('whoami')).content[0].text).toBe('anonymous');
  });
});
