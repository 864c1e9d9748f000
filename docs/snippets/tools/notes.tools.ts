import { Injectable, Module } from '@nestjs/common';
import { McpModule, McpTool, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';
import { NotesService } from '../notes.service.js';

@Injectable()
export class NotesTools {
  constructor(private readonly notes: NotesService) {} // ordinary dependency injection

  @McpTool({ name: 'add_note', description: 'Add a note', input: z.object({ text: z.string() }) })
  async add({ text }: { text: string }, ctx: McpContext) {
    await ctx.progress(1, 2);
    return `Saved note ${await this.notes.add(ctx.auth.subject, text)}`;
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'notes', version: '1.0.0' })],
  providers: [NotesService, NotesTools],
})
export class AppModule {}
