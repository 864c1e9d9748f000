import { ForbiddenException, Injectable } from '@nestjs/common';
import { McpTool, McpToolError, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';

/** Lets a test hold a running tool at a point and release it later. */
@Injectable()
export class Gate {
  private readonly opened = new Set<string>();
  private readonly waiters = new Map<string, Array<() => void>>();
  /** Keys of tools that observed their AbortSignal fire. */
  readonly aborted = new Set<string>();
  private readonly arrivals = new Map<string, () => void>();
  private readonly arrived = new Map<string, Promise<void>>();

  /** Resolves once a tool is waiting at the gate `key`. */
  reached(key: string): Promise<void> {
    if (!this.arrived.has(key)) this.arrived.set(key, new Promise((resolve) => this.arrivals.set(key, resolve)));
    return this.arrived.get(key)!;
  }

  wait(key: string, signal: AbortSignal): Promise<void> {
    void this.reached(key);
    this.arrivals.get(key)?.();
    if (this.opened.has(key)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.aborted.add(key);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(key, [
        ...(this.waiters.get(key) ?? []),
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      ]);
    });
  }

  open(key: string): void {
    this.opened.add(key);
    for (const release of this.waiters.get(key) ?? []) release();
    this.waiters.delete(key);
  }
}

/** Tools used by the transport tests. */
@Injectable()
export class GatedTools {
  constructor(private readonly gate: Gate) {}

  @McpTool({
    name: 'stepper',
    description: 'Reports progress `steps` times; holds after the first step until the gate `key` opens.',
    input: z.object({ key: z.string(), steps: z.number().int().min(1) }),
  })
  async stepper({ key, steps }: { key: string; steps: number }, ctx: McpContext): Promise<string> {
    for (let step = 1; step <= steps; step++) {
      await ctx.progress(step, steps, `step ${step}`);
      if (step === 1) await this.gate.wait(key, ctx.signal);
    }
    return `done ${key}`;
  }

  @McpTool({
    name: 'hold',
    description: 'Waits until the gate `key` opens or the request is cancelled.',
    input: z.object({ key: z.string() }),
  })
  async hold({ key }: { key: string }, ctx: McpContext): Promise<string> {
    await this.gate.wait(key, ctx.signal);
    return `released ${key}`;
  }

  @McpTool({
    name: 'flood',
    description: 'Sends `count` log notifications of `size` bytes each, then returns.',
    input: z.object({ count: z.number().int(), size: z.number().int() }),
  })
  async flood({ count, size }: { count: number; size: number }, ctx: McpContext): Promise<string> {
    const payload = 'f'.repeat(size);
    for (let n = 1; n <= count; n++) {
      await ctx.notify({ method: 'notifications/message', params: { level: 'info', data: { n, payload } } });
    }
    return `flooded ${count}`;
  }

  @McpTool({
    name: 'poll',
    description: 'Closes its SSE connection, then reports progress and answers; the client resumes to get both.',
  })
  async poll(_args: unknown, ctx: McpContext): Promise<string> {
    await ctx.closeSseStream();
    await ctx.progress(1, 1, 'after the reconnect');
    return 'answered after polling';
  }

  @McpTool({ name: 'whoami', description: 'Returns the caller subject.' })
  whoami(_args: unknown, ctx: McpContext): string {
    return ctx.auth.subject;
  }

  @McpTool({ name: 'forbidden', description: 'Throws a Nest ForbiddenException.' })
  forbidden(): never {
    throw new ForbiddenException('You may not read these notes.');
  }

  @McpTool({ name: 'tool_error', description: 'Throws an McpToolError.' })
  toolError(): never {
    throw new McpToolError('The note store is read-only today.');
  }

  @McpTool({ name: 'crash', description: 'Throws an internal error with a secret in it.' })
  crash(): never {
    throw new Error('connection to postgres://admin:hunter2@db failed');
  }

  @McpTool({
    name: 'json_schema_args',
    description: 'Echoes arguments validated by a plain JSON Schema.',
    input: {
      type: 'object',
      properties: { count: { type: 'integer', minimum: 1 }, email: { type: 'string', format: 'email' } },
      required: ['count'],
      additionalProperties: false,
    },
  })
  jsonSchemaArgs(args: Record<string, unknown>): Record<string, unknown> {
    return { content: [{ type: 'text', text: JSON.stringify(args) }] };
  }

  @McpTool({
    name: 'bad_output',
    description: 'Declares an output schema and returns something else.',
    output: z.object({ total: z.number() }),
  })
  badOutput(): unknown {
    return { total: 'many' };
  }
}
