import { Injectable } from '@nestjs/common';
import { McpTool, McpToolError, resourceLink, text, type CallToolResult, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';
import { NotesService, noteUri, type Note } from './notes.service.js';

const NoteId = z.string().min(1).describe('Id of the note, e.g. "1"');

const SearchOutput = z.object({
  matches: z.array(z.object({ id: z.string(), title: z.string() })),
});

const DeleteConfirmation = z.object({ confirm: z.boolean().describe('Yes, delete this note') });

const linkTo = (note: Note) => resourceLink({ uri: noteUri(note.id), name: note.title, mimeType: 'text/markdown' });

/** Tools over the notes: logging, progress, elicitation and sampling, one each. */
@Injectable()
export class NotesTools {
  constructor(private readonly notes: NotesService) {}

  @McpTool({
    name: 'add_note',
    title: 'Add a note',
    description: 'Adds a note and returns a link to it.',
    input: z.object({ title: z.string().min(1).max(120), text: z.string().describe('Markdown body') }),
  })
  async add({ title, text: body }: { title: string; text: string }, ctx: McpContext): Promise<CallToolResult> {
    const note = await this.notes.add(title, body);
    await ctx.log('info', { event: 'note-added', id: note.id }, 'notes');
    return { content: [text(`Added note ${note.id}.`), linkTo(note)] };
  }

  @McpTool({
    name: 'update_note',
    title: 'Update a note',
    description: 'Replaces the text of a note. Clients subscribed to notes://{id} are told it changed.',
    input: z.object({ id: NoteId, text: z.string() }),
    annotations: { idempotentHint: true },
  })
  async update({ id, text: body }: { id: string; text: string }, ctx: McpContext): Promise<string> {
    await this.notes.update(id, { text: body });
    await ctx.log('info', { event: 'note-updated', id }, 'notes');
    return `Updated note ${id}.`;
  }

  @McpTool({
    name: 'search_notes',
    title: 'Search notes',
    description: 'Finds the notes whose title or text contains the query, reporting progress as it goes.',
    input: z.object({ query: z.string().min(1) }),
    output: SearchOutput,
    annotations: { readOnlyHint: true },
  })
  async search({ query }: { query: string }, ctx: McpContext): Promise<CallToolResult> {
    const notes = await this.notes.list();
    const found: Note[] = [];
    for (const [index, note] of notes.entries()) {
      ctx.signal.throwIfAborted();
      if (this.notes.matches(note, query)) found.push(note);
      await ctx.progress(index + 1, notes.length, `Searched ${index + 1} of ${notes.length} notes`);
    }
    return {
      content: [text(`${found.length} note(s) match "${query}".`), ...found.map(linkTo)],
      structuredContent: { matches: found.map(({ id, title }) => ({ id, title })) },
    };
  }

  @McpTool({
    name: 'delete_note',
    title: 'Delete a note',
    description: 'Deletes a note. Clients that support elicitation are asked to confirm first.',
    input: z.object({ id: NoteId }),
    annotations: { destructiveHint: true },
  })
  async delete({ id }: { id: string }, ctx: McpContext): Promise<string> {
    const note = await this.notes.get(id);
    if (ctx.clientCapabilities.elicitation) {
      const answer = await ctx.elicit({ message: `Delete the note "${note.title}"?`, requestedSchema: DeleteConfirmation });
      if (answer.action !== 'accept' || !answer.content?.confirm) return `Kept note ${id}.`;
    }
    await this.notes.delete(id);
    await ctx.log('notice', { event: 'note-deleted', id }, 'notes');
    return `Deleted note ${id}.`;
  }

  @McpTool({
    name: 'retitle_note',
    title: 'Retitle a note',
    description: "Asks the client's model for a short title for a note, and renames the note.",
    input: z.object({ id: NoteId }),
  })
  async retitle({ id }: { id: string }, ctx: McpContext): Promise<string> {
    const note = await this.notes.get(id);
    const answer = await ctx.sample({
      systemPrompt: 'You name notes. Answer with the title only, at most six words.',
      messages: [{ role: 'user', content: text(note.text) }],
      maxTokens: 30,
    });
    const [first] = [answer.content].flat();
    if (first?.type !== 'text' || !first.text.trim()) throw new McpToolError('The model did not suggest a title.');
    const renamed = await this.notes.update(id, { title: first.text.trim() });
    return `Renamed note ${id} to "${renamed.title}".`;
  }
}
