import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { McpRegistry, McpSessionEvents } from '@nest-mcp/mcp';
import type { Subscription } from 'rxjs';
import { noteMarkdown, NotesService, noteUri } from './notes.service.js';

/**
 * Keeps MCP clients in step with the notes:
 * - the `notes://{id}` template lists every note in `resources/list`, read from the store each
 *   time, so every instance lists the same notes;
 * - a change made through this instance tells clients subscribed to the note or to the index
 *   (`notifications/resources/updated`), and an added or deleted note tells every listening client
 *   that the list changed — once, from the instance that made the change.
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
    this.registry.addResourceTemplate({
      uriTemplate: 'notes://{id}',
      name: 'note',
      title: 'A note',
      mimeType: 'text/markdown',
      list: async () =>
        (await this.notes.list()).map((note) => ({
          uri: noteUri(note.id),
          name: note.title,
          annotations: { lastModified: note.updatedAt },
        })),
      complete: { id: (value) => this.notes.ids(value) },
      // An unknown id throws NotFoundException: answered "Resource not found".
      handler: async ({ variables }) => noteMarkdown(await this.notes.get(variables.id)),
    });
    this.subscription = this.notes.changes$.subscribe(({ type, note }) => {
      void this.events.notifyResourceUpdated(noteUri(note.id));
      void this.events.notifyResourceUpdated('notes://index');
      if (type !== 'updated') void this.events.notifyAll({ method: 'notifications/resources/list_changed' });
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
