import { Injectable } from '@nestjs/common';
import { McpCompletion, McpPrompt, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';
import { NotesService } from '../notes.service.js';

@Injectable()
export class NotesPrompts {
  constructor(private readonly notes: NotesService) {}

  // #region prompts
  @McpPrompt({
    name: 'summarize_note',
    description: 'Summarize one note',
    arguments: z.object({ noteId: z.string().describe('Id of the note') }), // or [{ name, description, required }]
  })
  summarize({ noteId }: { noteId: string }) {
    return `Summarize this note:\n\n${this.notes.get(noteId)?.body}`; // string → one user message
  }

  @McpCompletion({ prompt: 'summarize_note', argument: 'noteId' }) // or { resourceTemplate, argument }; stackable
  noteIds(value: string, { ctx }: { arguments: Record<string, string>; ctx: McpContext }) {
    // at most 100 values are sent; the other arguments filled so far are in `arguments`
    return this.notes
      .all()
      .filter((note) => note.owner === ctx.auth.subject && note.id.startsWith(value))
      .map((note) => note.id);
  }
  // #endregion
}
