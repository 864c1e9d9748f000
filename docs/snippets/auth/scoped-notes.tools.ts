import { Injectable } from '@nestjs/common';
import { McpTool, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';
import { NotesService } from '../notes.service.js';

@Injectable()
export class ScopedNotesTools {
  constructor(private readonly notes: NotesService) {}

  // #region scopes
  @McpTool({ name: 'add_note', description: 'Add a note', input: z.object({ text: z.string() }), scopes: ['notes:write'] })
  async add({ text }: { text: string }, ctx: McpContext) {
    return `Saved note ${await this.notes.add(ctx.auth.subject, text)} for ${ctx.auth.subject} (${ctx.auth.issuer})`;
  }
  // #endregion
}
