import { Injectable } from '@nestjs/common';
import { McpTool, audio, embeddedResource, image, text, type McpContext } from '@nest-mcp/mcp';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** A 1×1 red PNG. */
export const RED_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A silent 8 kHz mono 16-bit WAV with 8 samples. */
const SILENT_WAV = (() => {
  const samples = 8;
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(8000, 24);
  buffer.writeUInt32LE(16000, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples * 2, 40);
  return buffer;
})();

/** The tools the conformance suite calls, with the exact names and shapes its scenarios expect. */
@Injectable()
export class ConformanceTools {
  @McpTool({ name: 'test_simple_text', description: 'Returns a simple text response.' })
  simpleText(): string {
    return 'This is a simple text response for testing.';
  }

  @McpTool({ name: 'test_image_content', description: 'Returns an image.' })
  imageContent() {
    return { content: [image(RED_PIXEL_PNG, 'image/png')] };
  }

  @McpTool({ name: 'test_audio_content', description: 'Returns audio.' })
  audioContent() {
    return { content: [audio(SILENT_WAV, 'audio/wav')] };
  }

  @McpTool({ name: 'test_embedded_resource', description: 'Returns an embedded resource.' })
  embeddedResource() {
    return { content: [embeddedResource('test://embedded-resource', 'This is an embedded resource content.', 'text/plain')] };
  }

  @McpTool({ name: 'test_multiple_content_types', description: 'Returns text, an image and a resource.' })
  multipleContentTypes() {
    return {
      content: [
        text('Multiple content types test:'),
        image(RED_PIXEL_PNG, 'image/png'),
        embeddedResource('test://mixed-content-resource', JSON.stringify({ test: 'data', value: 123 }), 'application/json'),
      ],
    };
  }

  @McpTool({ name: 'test_tool_with_logging', description: 'Sends three log messages while it runs.' })
  async withLogging(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.log('info', 'Tool execution started');
    await sleep(50);
    await ctx.log('info', 'Tool processing data');
    await sleep(50);
    await ctx.log('info', 'Tool execution completed');
    return 'Logging test completed.';
  }

  @McpTool({ name: 'test_tool_with_progress', description: 'Reports progress 0, 50 and 100 of 100.' })
  async withProgress(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.progress(0, 100);
    await sleep(50);
    await ctx.progress(50, 100);
    await sleep(50);
    await ctx.progress(100, 100);
    return 'Progress test completed.';
  }

  @McpTool({ name: 'test_error_handling', description: 'Always fails with a tool error.' })
  errorHandling() {
    return { content: [text('This tool intentionally returns an error for testing.')], isError: true };
  }

  @McpTool({
    name: 'test_sampling',
    description: 'Asks the client model to answer a prompt.',
    input: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
  })
  async sampling({ prompt }: { prompt: string }, ctx: McpContext): Promise<string> {
    const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 });
    const content = Array.isArray(answer.content) ? answer.content[0] : answer.content;
    return `LLM response: ${content?.type === 'text' ? content.text : JSON.stringify(content)}`;
  }

  @McpTool({
    name: 'test_elicitation',
    description: 'Asks the user for a username and email.',
    input: z.object({ message: z.string().describe('The message to show the user') }),
  })
  async elicitation({ message }: { message: string }, ctx: McpContext): Promise<string> {
    const result = await ctx.elicit({
      message,
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    });
    return `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  }

  @McpTool({ name: 'test_elicitation_sep1034_defaults', description: 'Elicits a form whose fields have defaults (SEP-1034).' })
  async elicitationDefaults(_args: unknown, ctx: McpContext): Promise<string> {
    const result = await ctx.elicit({
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  }

  @McpTool({ name: 'test_elicitation_sep1330_enums', description: 'Elicits a form with every enum variant (SEP-1330).' })
  async elicitationEnums(_args: unknown, ctx: McpContext): Promise<string> {
    const titled = (values: string[], titles: string[]) => values.map((value, index) => ({ const: value, title: titles[index] }));
    const result = await ctx.elicit({
      message: 'Please choose options from each enum type',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', description: 'Untitled single-select', enum: ['option1', 'option2', 'option3'] },
          titledSingle: {
            type: 'string',
            description: 'Titled single-select',
            oneOf: titled(['value1', 'value2', 'value3'], ['First Option', 'Second Option', 'Third Option']),
          },
          legacyEnum: {
            type: 'string',
            description: 'Legacy titled enum',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Untitled multi-select',
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Titled multi-select',
            items: { anyOf: titled(['value1', 'value2', 'value3'], ['First Choice', 'Second Choice', 'Third Choice']) },
          },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  }

  @McpTool({
    name: 'json_schema_2020_12_tool',
    description: 'Tool with JSON Schema 2020-12 features',
    input: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: {
        address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
      },
      properties: {
        name: { type: 'string' },
        address: { $ref: '#/$defs/address' },
        contactMethod: { type: 'string', enum: ['phone', 'email'] },
        phone: { type: 'string' },
        email: { type: 'string' },
      },
      allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
      if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
      then: { required: ['phone'] },
      else: { required: ['email'] },
      additionalProperties: false,
    },
  })
  jsonSchema202012(args: Record<string, unknown>): string {
    return `Received: ${JSON.stringify(args)}`;
  }

  @McpTool({
    name: 'test_header_param',
    description: 'Echoes a region that 2026-07-28 clients mirror into the Mcp-Param-Region header.',
    input: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }), query: z.string().optional() }),
  })
  headerParam({ region }: { region: string }): string {
    return `Region: ${region}`;
  }

  @McpTool({
    name: 'test_reconnection',
    description: 'Closes its SSE connection mid-call; the result arrives after the client reconnects (SEP-1699).',
  })
  async reconnection(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.closeSseStream();
    await sleep(100);
    return 'Reconnection test completed successfully';
  }
}
