import { Injectable } from '@nestjs/common';
import { McpTool } from '@nest-mcp/mcp';
import { z } from 'zod';

@Injectable()
export class MathTools {
  @McpTool({
    name: 'add',
    description: 'Adds two numbers.',
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.object({ sum: z.number() }),
  })
  add({ a, b }: { a: number; b: number }) {
    return { sum: a + b };
  }
}
