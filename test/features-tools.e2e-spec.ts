import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { Injectable } from '@nestjs/common';
import { audio, embeddedResource, image, McpTool, resourceLink, text, type CallToolResult } from '@nest-mcp/mcp';
import { z } from 'zod';
import { startMcpApp, type McpTestApp, type SdkSession } from './support/sdk-session.js';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
const WAV = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0x00, 0x01]);
const PDF = Buffer.from('%PDF-1.7');

const Stats = z.object({ words: z.number().int(), longest: z.string().describe('The longest word') });

@Injectable()
class MetadataTools {
  @McpTool({
    name: 'word_stats',
    title: 'Word statistics',
    description: 'Counts the words of a text.',
    input: z.object({ text: z.string() }),
    output: Stats,
    annotations: { title: 'Word stats', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    icons: [{ src: 'https://notes.example.com/icons/stats.svg', mimeType: 'image/svg+xml', sizes: ['any'], theme: 'light' }],
    _meta: { 'example.com/category': 'text' },
  })
  wordStats({ text: input }: { text: string }): z.infer<typeof Stats> {
    const words = input.split(/\s+/).filter(Boolean);
    return { words: words.length, longest: words.reduce((longest, word) => (word.length > longest.length ? word : longest), '') };
  }

  @McpTool({
    name: 'json_schema_output',
    description: 'Declares its output with a plain JSON Schema.',
    output: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
  })
  jsonSchemaOutput(): { ok: boolean } {
    return { ok: true };
  }

  @McpTool({ name: 'every_content', description: 'Returns one content block of each kind.' })
  everyContent(): CallToolResult {
    return {
      content: [
        text('A note', { audience: ['user', 'assistant'], priority: 1, lastModified: '2025-11-25T10:00:00Z' }),
        image(PNG, 'image/png'),
        audio(WAV, 'audio/wav', { audience: ['user'] }),
        resourceLink({
          uri: 'notes://1',
          name: 'note 1',
          title: 'First note',
          description: 'The first note',
          mimeType: 'text/markdown',
          size: 42,
        }),
        embeddedResource('notes://1', '# First note', 'text/markdown', { priority: 0.2 }),
        embeddedResource('files://report.pdf', PDF, 'application/pdf'),
      ],
      _meta: { 'example.com/trace': 'abc' },
    };
  }

  @McpTool({ name: 'base64_passthrough', description: 'Passes base64 strings to the helpers as they are.' })
  base64Passthrough(): CallToolResult {
    return { content: [image(PNG.toString('base64'), 'image/png'), audio('AAEC', 'audio/mpeg')] };
  }
}

describe('tool metadata and content helpers', () => {
  let app: McpTestApp;
  let session: SdkSession;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [MetadataTools] });
    session = await app.connect({ listen: false });
  });

  afterAll(() => app.close());

  it('lists title, annotations, icons, _meta and the output schema', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.find((tool) => tool.name === 'word_stats')).toEqual({
      name: 'word_stats',
      title: 'Word statistics',
      description: 'Counts the words of a text.',
      inputSchema: expect.objectContaining({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }),
      outputSchema: expect.objectContaining({
        type: 'object',
        properties: {
          words: { type: 'integer', minimum: expect.any(Number), maximum: expect.any(Number) },
          longest: { type: 'string', description: 'The longest word' },
        },
        required: ['words', 'longest'],
      }),
      annotations: { title: 'Word stats', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      icons: [{ src: 'https://notes.example.com/icons/stats.svg', mimeType: 'image/svg+xml', sizes: ['any'], theme: 'light' }],
      _meta: { 'example.com/category': 'text' },
    });
  });

  it('returns structured content the SDK client validates against the output schema', async () => {
    await session.client.listTools(); // the SDK client checks structuredContent against the schemas it listed
    const result = await session.client.callTool({ name: 'word_stats', arguments: { text: 'notes are short' } });
    expect(result).toEqual({
      content: [{ type: 'text', text: '{"words":3,"longest":"notes"}' }],
      structuredContent: { words: 3, longest: 'notes' },
    });
    expect((await session.client.callTool({ name: 'json_schema_output', arguments: {} })).structuredContent).toEqual({ ok: true });
  });

  it("builds every content block kind with the helpers, accepted by the SDK's result schema", async () => {
    const result = await session.client.callTool({ name: 'every_content', arguments: {} }, CallToolResultSchema);
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'A note',
          annotations: { audience: ['user', 'assistant'], priority: 1, lastModified: '2025-11-25T10:00:00Z' },
        },
        { type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' },
        { type: 'audio', data: Buffer.from(WAV).toString('base64'), mimeType: 'audio/wav', annotations: { audience: ['user'] } },
        {
          type: 'resource_link',
          uri: 'notes://1',
          name: 'note 1',
          title: 'First note',
          description: 'The first note',
          mimeType: 'text/markdown',
          size: 42,
        },
        {
          type: 'resource',
          resource: { uri: 'notes://1', mimeType: 'text/markdown', text: '# First note' },
          annotations: { priority: 0.2 },
        },
        { type: 'resource', resource: { uri: 'files://report.pdf', mimeType: 'application/pdf', blob: PDF.toString('base64') } },
      ],
      _meta: { 'example.com/trace': 'abc' },
    });
  });

  it('takes base64 strings as already encoded', async () => {
    const { content } = await session.client.callTool({ name: 'base64_passthrough', arguments: {} });
    expect(content).toEqual([
      { type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' },
      { type: 'audio', data: 'AAEC', mimeType: 'audio/mpeg' },
    ]);
  });
});
