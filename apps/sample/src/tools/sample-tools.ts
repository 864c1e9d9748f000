import { Injectable } from '@nestjs/common';
import { McpTool, type McpContext } from '@nest-mcp/mcp';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

const AddInput = z.object({
  a: z.number().describe('First addend'),
  b: z.number().describe('Second addend'),
});

const AddOutput = z.object({ sum: z.number() });

/** The sample's tools: ordinary methods of an injectable provider. */
@Injectable()
export class SampleTools {
  @McpTool({
    name: 'echo',
    title: 'Echo',
    description: 'Returns the text it is given.',
    input: z.object({ text: z.string().min(1).describe('Text to echo back') }),
    annotations: { readOnlyHint: true, idempotentHint: true },
  })
  echo({ text }: { text: string }): string {
    return text;
  }

  @McpTool({
    name: 'add',
    title: 'Add two numbers',
    description: 'Adds two numbers and returns the sum as structured content.',
    input: AddInput,
    output: AddOutput,
    annotations: { readOnlyHint: true },
  })
  add({ a, b }: z.infer<typeof AddInput>): z.infer<typeof AddOutput> {
    return { sum: a + b };
  }

  @McpTool({
    name: 'count_slowly',
    title: 'Count slowly',
    description: 'Counts up to a number, reporting progress after each step.',
    input: z.object({
      to: z.number().int().min(1).max(100).default(5).describe('Number to count to'),
      delayMs: z.number().int().min(0).max(5_000).default(100).describe('Pause between steps'),
    }),
  })
  async countSlowly({ to, delayMs }: { to: number; delayMs: number }, ctx: McpContext): Promise<string> {
    for (let step = 1; step <= to; step++) {
      await sleep(delayMs, undefined, { signal: ctx.signal });
      await ctx.progress(step, to, `Counted to ${step}`);
    }
    return `Counted to ${to}.`;
  }

  @McpTool({
    name: 'slow_report',
    title: 'Slow report',
    description: 'Builds a report over some seconds. Clients that support tasks get a task handle at once and poll it.',
    input: z.object({
      topic: z.string().min(1).describe('What the report is about'),
      seconds: z.number().int().min(0).max(600).default(5).describe('How long building it takes'),
    }),
    task: 'optional',
  })
  async slowReport({ topic, seconds }: { topic: string; seconds: number }, ctx: McpContext): Promise<string> {
    for (let second = 1; second <= seconds; second++) {
      await sleep(1_000, undefined, { signal: ctx.signal });
      await ctx.progress(second, seconds, `Built ${second} of ${seconds} s`);
    }
    return `Report on ${topic}: ready after ${seconds} s.`;
  }
}
