import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { McpRegistry, McpSessionEvents } from '@nest-mcp/mcp';
import type { Subscription } from 'rxjs';
import { noteMarkdown, NotesService, noteUri, type Note } from './notes.service.js';

/**
 * Keeps MCP clients in step with the note store:
 * - each note is listed in `resources/list` as its own resource, added and removed at run time with
 *   `McpRegistry` (clients get `notifications/resources/list_changed`);
 * - clients subscribed to a note or to the index get `notifications/resources/updated` when it changes.
 */
@Injectable()
export class NotesSync implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;

  constructor(
    private readonly notes: NotesService,
    private readonly registry: McpRegistry,
    private readonly events: McpSessionEvents,
  ) {}

  onModuleInit(): void {
    for (const note of this.notes.list()) this.list(note);
    this.subscription = this.notes.changes$.subscribe(({ type, note }) => {
      if (type !== 'added') this.registry.removeResource(noteUri(note.id));
      if (type !== 'deleted') this.list(note);
      void this.events.notifyResourceUpdated(noteUri(note.id));
      void this.events.notifyResourceUpdated('notes://index');
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private list(note: Note): void {
    this.registry.addResource({
      uri: noteUri(note.id),
      name: note.title,
      mimeType: 'text/markdown',
      annotations: { lastModified: note.updatedAt },
      handler: () => noteMarkdown(this.notes.get(note.id)),
    });
  }
}
