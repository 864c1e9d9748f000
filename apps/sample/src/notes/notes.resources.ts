import { Injectable } from '@nestjs/common';
import { embeddedResource, McpCompletion, McpPrompt, McpResource, text, type PromptMessage } from '@nest-mcp/mcp';
import { z } from 'zod';
import { noteMarkdown, NotesService, noteUri } from './notes.service.js';

const SummarizeArguments = z.object({
  id: z.string().describe('Id of the note to summarise'),
  style: z.enum(['brief', 'detailed']).optional().describe('"brief" (one sentence, the default) or "detailed"'),
});

/**
 * The index of the notes as a resource, and a prompt that summarises a note (completing note ids).
 * Each note is a resource of the `notes://{id}` template, registered by `NotesSync`.
 */
@Injectable()
export class NotesResources {
  constructor(private readonly notes: NotesService) {}

  @McpResource({
    uri: 'notes://index',
    name: 'index',
    title: 'All notes',
    description: 'Every note with a link to it',
    mimeType: 'text/markdown',
  })
  async index(): Promise<string> {
    const lines = (await this.notes.list()).map((note) => `- [${note.title}](${noteUri(note.id)})`);
    return `# Notes\n\n${lines.join('\n') || '(none yet)'}\n`;
  }

  @McpCompletion({ prompt: 'summarize_note', argument: 'id' })
  noteIds(value: string): Promise<string[]> {
    return this.notes.ids(value);
  }

  @McpPrompt({
    name: 'summarize_note',
    title: 'Summarise a note',
    description: 'Asks the model to summarise one note',
    arguments: SummarizeArguments,
    complete: { style: (value) => ['brief', 'detailed'].filter((style) => style.startsWith(value)) },
  })
  async summarize({ id, style = 'brief' }: z.infer<typeof SummarizeArguments>): Promise<PromptMessage[]> {
    const note = await this.notes.get(id);
    return [
      { role: 'user', content: embeddedResource(noteUri(id), noteMarkdown(note), 'text/markdown') },
      {
        role: 'user',
        content: text(
          style === 'brief'
            ? 'Summarise this note in one sentence.'
            : 'Summarise this note in a short paragraph, keeping every decision and date.',
        ),
      },
    ];
  }
}
