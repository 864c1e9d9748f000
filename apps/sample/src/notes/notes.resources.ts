import { Injectable } from '@nestjs/common';
import {
  embeddedResource,
  McpCompletion,
  McpPrompt,
  McpResource,
  McpResourceTemplate,
  text,
  type McpResourceRequest,
  type PromptMessage,
} from '@nest-mcp/mcp';
import { z } from 'zod';
import { noteMarkdown, NotesService, noteUri } from './notes.service.js';

const SummarizeArguments = z.object({
  id: z.string().describe('Id of the note to summarise'),
  style: z.enum(['brief', 'detailed']).optional().describe('"brief" (one sentence, the default) or "detailed"'),
});

/** The notes as resources (an index and one per note), and a prompt that summarises a note. */
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
  index(): string {
    const lines = this.notes.list().map((note) => `- [${note.title}](${noteUri(note.id)})`);
    return `# Notes\n\n${lines.join('\n') || '(none yet)'}\n`;
  }

  @McpResourceTemplate({ uriTemplate: 'notes://{id}', name: 'note', title: 'A note', mimeType: 'text/markdown' })
  note({ variables }: McpResourceRequest): string {
    // An unknown id throws NotFoundException: answered -32002 "Resource not found".
    return noteMarkdown(this.notes.get(variables.id!));
  }

  @McpCompletion({ resourceTemplate: 'notes://{id}', argument: 'id' })
  @McpCompletion({ prompt: 'summarize_note', argument: 'id' })
  noteIds(value: string): string[] {
    return this.notes.ids(value);
  }

  @McpPrompt({
    name: 'summarize_note',
    title: 'Summarise a note',
    description: 'Asks the model to summarise one note',
    arguments: SummarizeArguments,
    complete: { style: (value) => ['brief', 'detailed'].filter((style) => style.startsWith(value)) },
  })
  summarize({ id, style = 'brief' }: z.infer<typeof SummarizeArguments>): PromptMessage[] {
    const note = this.notes.get(id);
    return [
      { role: 'user', content: embeddedResource(noteUri(id), noteMarkdown(note), 'text/markdown') },
      { role: 'user', content: text(style === 'brief' ? 'Summarise this note in one sentence.' : 'Summarise this note in a short paragraph, keeping every decision and date.') },
    ];
  }
}
