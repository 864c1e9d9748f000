import { Injectable } from '@nestjs/common';
import { McpPrompt, McpResource, McpResourceTemplate, McpTool, type McpContext, type McpResourceRequest } from '@nest-mcp/mcp';
import { z } from 'zod';
import { Gate } from './gated-tools.js';

/** Tools, resources and a prompt the 2026-07-28 tests call; one handler per feature for both eras. */
@Injectable()
export class ModernTools {
  /** How many times each tool's code before its questions ran (MRTR replays handlers). */
  readonly runs = new Map<string, number>();

  constructor(private readonly gate: Gate) {}

  @McpTool({ name: 'echo', description: 'Echoes a text.', input: z.object({ text: z.string() }) })
  echo({ text }: { text: string }, ctx: McpContext): string {
    return `${ctx.protocolEra}:${text}`;
  }

  @McpTool({
    name: 'locate',
    description: 'Takes arguments mirrored into Mcp-Param-* headers.',
    input: z.object({
      region: z.string().meta({ 'x-mcp-header': 'Region' }),
      shard: z.number().int().meta({ 'x-mcp-header': 'Shard' }).optional(),
      dryRun: z.boolean().meta({ 'x-mcp-header': 'Dry-Run' }).optional(),
      target: z.object({ zone: z.string().meta({ 'x-mcp-header': 'Zone' }).optional() }).optional(),
    }),
  })
  locate(args: Record<string, unknown>): string {
    return JSON.stringify(args);
  }

  @McpTool({ name: 'needs_sampling', description: 'Asks the client model.' })
  async needsSampling(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.sample({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 5 });
    return JSON.stringify(answer.content);
  }

  @McpTool({ name: 'greet', description: 'Asks for a name, then a mood, one round each.' })
  async greet(_args: unknown, ctx: McpContext): Promise<string> {
    this.runs.set('greet', (this.runs.get('greet') ?? 0) + 1);
    const name = await ctx.elicit({ message: 'Your name?', requestedSchema: z.object({ name: z.string() }) });
    if (name.action !== 'accept') return 'No name given.';
    const mood = await ctx.elicit({ message: `How are you, ${name.content!.name}?`, requestedSchema: z.object({ mood: z.string() }) });
    return `Hello ${name.content!.name}, glad you feel ${mood.content?.mood ?? 'unknown'}.`;
  }

  @McpTool({ name: 'survey', description: 'Asks a form, the model and the roots in one round.' })
  async survey(_args: unknown, ctx: McpContext): Promise<string> {
    const { who, model, roots } = await ctx.requestInputs({
      who: { elicit: { message: 'Who are you?', requestedSchema: z.object({ name: z.string() }) } },
      model: { sample: { messages: [{ role: 'user', content: { type: 'text', text: 'Pick a color.' } }], maxTokens: 5 } },
      roots: { listRoots: true },
    });
    const color = Array.isArray(model.content) ? model.content[0] : model.content;
    return `${who.content?.name} / ${color?.type === 'text' ? color.text : '?'} / ${roots.map((root) => root.uri).join(',')}`;
  }

  @McpTool({ name: 'chatty', description: 'Logs at every level and reports progress.' })
  async chatty(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.log('debug', 'debug line');
    await ctx.progress(1, 2);
    await ctx.log('warning', 'warning line');
    await ctx.progress(2, 2);
    return 'chatted';
  }

  @McpTool({
    name: 'hold',
    description: 'Waits at the gate `key` until it opens or the request is cancelled.',
    input: z.object({ key: z.string() }),
  })
  async hold({ key }: { key: string }, ctx: McpContext): Promise<string> {
    await ctx.progress(1);
    await this.gate.wait(key, ctx.signal);
    return `released ${key}`;
  }

  @McpTool({ name: 'private_tool', description: 'Listed for some callers only.', visible: () => true })
  privateTool(): string {
    return 'private';
  }

  @McpResource({ uri: 'notes://cached', name: 'cached', mimeType: 'text/plain', cache: { ttlMs: 60_000, scope: 'public' } })
  cached(): string {
    return 'cache me';
  }

  @McpResource({ uri: 'notes://plain', name: 'plain', mimeType: 'text/plain' })
  plain(): string {
    return 'plain';
  }

  @McpResourceTemplate({ uriTemplate: 'notes://asking/{id}', name: 'asking', mimeType: 'text/plain' })
  async asking({ variables }: McpResourceRequest, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: `Reveal ${variables.id}?`, requestedSchema: z.object({ ok: z.boolean() }) });
    return answer.content?.ok ? `secret ${variables.id}` : 'hidden';
  }

  @McpPrompt({ name: 'intro', description: 'Asks the user for a topic first.' })
  async intro(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Topic?', requestedSchema: z.object({ topic: z.string() }) });
    return `Talk about ${answer.content?.topic}.`;
  }
}
