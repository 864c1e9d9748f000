import { Injectable } from '@nestjs/common';
import { McpError, McpTool, McpToolError, type McpContext } from '@nest-mcp/mcp';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** The tools the tasks extension's scenarios (`tasks-*`) call, by the names and arguments they use. */
@Injectable()
export class ConformanceTaskTools {
  @McpTool({ name: 'greet', description: 'Greets at once; never a task.', input: z.object({ name: z.string() }) })
  greet({ name }: { name: string }): string {
    return `Hello, ${name}!`;
  }

  @McpTool({
    name: 'slow_compute',
    description: 'Works for some seconds; a task when the client accepts tasks.',
    input: z.object({ seconds: z.number().min(0), label: z.string().optional() }),
    task: 'optional',
  })
  async slowCompute({ seconds, label }: { seconds: number; label?: string }, ctx: McpContext): Promise<string> {
    await sleep(seconds * 1000, undefined, { signal: ctx.signal });
    return `Computed ${label ?? 'it'} in ${seconds} s.`;
  }

  @McpTool({ name: 'failing_job', description: 'Runs only as a task, and fails as a tool.', task: 'required' })
  async failingJob(_args: unknown, ctx: McpContext): Promise<string> {
    await sleep(1000, undefined, { signal: ctx.signal });
    throw new McpToolError('The job failed: the input was not usable.');
  }

  @McpTool({ name: 'protocol_error_job', description: 'Runs only as a task, and fails with a protocol error.', task: 'required' })
  async protocolErrorJob(): Promise<string> {
    await sleep(200);
    throw McpError.invalidParams('The job cannot run with these parameters.');
  }

  @McpTool({
    name: 'confirm_delete',
    description: 'Asks the user to confirm, then deletes; a task.',
    input: z.object({ filename: z.string() }),
    task: 'required',
  })
  async confirmDelete({ filename }: { filename: string }, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: `Delete ${filename}?`, requestedSchema: z.object({ confirm: z.boolean() }) });
    return answer.action === 'accept' && answer.content?.confirm ? `Deleted ${filename}.` : `Kept ${filename}.`;
  }

  @McpTool({ name: 'multi_input', description: 'Asks two questions at once; a task.', task: 'required' })
  async multiInput(_args: unknown, ctx: McpContext): Promise<string> {
    const schema = z.object({ name: z.string(), confirm: z.boolean() });
    const { first, second } = await ctx.requestInputs({
      first: { elicit: { message: 'First name?', requestedSchema: schema } },
      second: { elicit: { message: 'Second name?', requestedSchema: schema } },
    });
    return `Got ${first.content?.name} and ${second.content?.name}.`;
  }

  @McpTool({
    name: 'test_tool_with_task',
    description: 'Asks for a name in the call itself, then goes on as a task.',
    task: 'required',
    taskStart: 'handler',
  })
  async toolWithTask(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Your name?', requestedSchema: z.object({ name: z.string() }) });
    await ctx.continueAsTask();
    await sleep(300, undefined, { signal: ctx.signal });
    return `Hello, ${answer.content?.name}!`;
  }
}
