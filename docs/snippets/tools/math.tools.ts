import { Injectable } from '@nestjs/common';
import { McpTool, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';

@Injectable()
export class MathTools {
  // #region tool-options
  @McpTool({
    name: 'add', // 1-128 chars of A-Z a-z 0-9 _ - .
    title: 'Add two numbers',
    description: 'Adds two numbers.',
    input: z.object({ a: z.number(), b: z.number() }), // or a JSON Schema object (validated with ajv)
    output: z.object({ sum: z.number() }), // optional: structuredContent, validated
    annotations: { readOnlyHint: true },
    icons: [{ src: 'https://example.com/add.png', mimeType: 'image/png' }],
    _meta: { 'example.com/team': 'math' },
    scopes: ['math:use'], // OAuth scopes (see docs/auth.md)
    visible: (ctx) => ctx.auth.scopes.includes('beta'), // per request: hidden tools do not exist for the caller
  })
  async add({ a, b }: { a: number; b: number }, ctx: McpContext) {
    await ctx.log('debug', { a, b });
    return { sum: a + b };
  }
  // #endregion
}
