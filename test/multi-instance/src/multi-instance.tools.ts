import { Injectable } from '@nestjs/common';
import { McpRegistry, McpResource, McpSessionEvents, McpTool, McpToolError, type McpContext } from '@nest-mcp/mcp';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { InstanceState } from './instance-state.js';

/** Tools that act across instances; each names the instance (port) it ran on. */
@Injectable()
export class MultiInstanceTools {
  constructor(
    private readonly state: InstanceState,
    private readonly events: McpSessionEvents,
    private readonly registry: McpRegistry,
  ) {}

  @McpResource({ uri: 'test://watched', name: 'watched' })
  watched(): string {
    return `watched, read on ${this.state.port}`;
  }

  @McpTool({ name: 'whoami', description: 'The port of the instance that ran the call.', input: z.object({}) })
  whoami(): string {
    return String(this.state.port);
  }

  @McpTool({ name: 'touch_resource', description: 'Announces that a resource changed.', input: z.object({ uri: z.string() }) })
  async touchResource({ uri }: { uri: string }): Promise<string> {
    await this.events.notifyResourceUpdated(uri);
    return String(this.state.port);
  }

  @McpTool({
    name: 'touch_resources',
    description: 'Announces, in the background, that each resource changed, one every intervalMs.',
    input: z.object({ uris: z.array(z.string()), intervalMs: z.number().int().min(0) }),
  })
  touchResources({ uris, intervalMs }: { uris: string[]; intervalMs: number }): string {
    void (async () => {
      for (const uri of uris) {
        await sleep(intervalMs);
        await this.events.notifyResourceUpdated(uri);
      }
    })().catch(() => undefined);
    return String(this.state.port);
  }

  @McpTool({
    name: 'add_tool',
    description: 'Registers a tool on this instance (tools list_changed).',
    input: z.object({ name: z.string() }),
  })
  addTool({ name }: { name: string }): string {
    this.registry.addTool({ name, description: 'Added at run time', input: z.object({}), handler: () => 'added' });
    return String(this.state.port);
  }

  @McpTool({ name: 'ask', description: 'Asks the client a question (elicitation).', input: z.object({ question: z.string() }) })
  async ask({ question }: { question: string }, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: question, requestedSchema: z.object({ answer: z.string() }) });
    return `${this.state.port}: ${answer.action} ${answer.content?.answer ?? ''}`;
  }

  @McpTool({ name: 'block', description: 'Runs until cancelled.', input: z.object({ marker: z.string() }) })
  async block({ marker }: { marker: string }, ctx: McpContext): Promise<string> {
    this.state.started.push(marker);
    try {
      await sleep(60_000, undefined, { signal: ctx.signal });
      return 'not cancelled';
    } finally {
      if (ctx.signal.aborted) this.state.aborted.push(marker);
    }
  }

  @McpTool({
    name: 'job',
    description: 'A task: works for ms milliseconds (or until cancelled), then names the instance that ran it.',
    input: z.object({ marker: z.string(), ms: z.number().int().min(0) }),
    task: 'optional',
  })
  async job({ marker, ms }: { marker: string; ms: number }, ctx: McpContext): Promise<string> {
    this.state.started.push(marker);
    try {
      await sleep(ms, undefined, { signal: ctx.signal });
      return `${marker} done on ${this.state.port}`;
    } finally {
      if (ctx.signal.aborted) this.state.aborted.push(marker);
    }
  }

  @McpTool({
    name: 'slow_count',
    description: 'Reports progress 1..steps, one step every intervalMs, then names the instance that ran it.',
    input: z.object({ steps: z.number().int().min(1), intervalMs: z.number().int().min(0) }),
  })
  async slowCount({ steps, intervalMs }: { steps: number; intervalMs: number }, ctx: McpContext): Promise<string> {
    for (let step = 1; step <= steps; step++) {
      await ctx.progress(step, steps);
      await sleep(intervalMs, undefined, { signal: ctx.signal });
    }
    return `counted ${steps} on ${this.state.port}`;
  }

  @McpTool({
    name: 'emit',
    description: 'Sends numbered notifications/message to the session GET stream from this instance, in the background.',
    input: z.object({ count: z.number().int().min(1), intervalMs: z.number().int().min(0) }),
  })
  emit({ count, intervalMs }: { count: number; intervalMs: number }, ctx: McpContext): string {
    const { sessionId } = ctx;
    if (sessionId === undefined) throw new McpToolError('emit writes to a session GET stream: call it in a 2025 session.');
    void (async () => {
      for (let n = 1; n <= count; n++) {
        await sleep(intervalMs);
        await this.events.notify(sessionId, { method: 'notifications/message', params: { level: 'info', logger: 'emit', data: n } });
      }
    })().catch(() => undefined);
    return String(this.state.port);
  }
}
