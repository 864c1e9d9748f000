import { Injectable } from '@nestjs/common';
import { McpTool, type McpContext } from '@nest-mcp/mcp';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** Builds reports; the slow part stands in for real work (queries, rendering). */
@Injectable()
export class ReportsService {
  async section(topic: string, index: number, signal: AbortSignal): Promise<string> {
    await sleep(20, undefined, { signal }); // stops when the task is cancelled
    return `${topic}, part ${index}`;
  }
}

@Injectable()
export class ReportsTools {
  constructor(private readonly reports: ReportsService) {}

  // #region tool
  @McpTool({
    name: 'build_report',
    description: 'Builds a report; takes minutes for large ones.',
    input: z.object({ topic: z.string(), sections: z.number().int().min(1).max(50) }),
    task: 'optional', // a task when the client wants one, a plain call otherwise
  })
  async buildReport({ topic, sections }: { topic: string; sections: number }, ctx: McpContext) {
    const parts: string[] = [];
    for (let index = 1; index <= sections; index++) {
      parts.push(await this.reports.section(topic, index, ctx.signal)); // ctx.signal: tasks/cancel from any instance
      await ctx.progress(index, sections);
    }
    return parts.join('\n');
  }
  // #endregion
}
