import { Injectable, type OnModuleInit } from '@nestjs/common';
import { McpRegistry } from '@nest-mcp/mcp';
import { NotesService } from '../notes.service.js';

@Injectable()
export class NotesListing implements OnModuleInit {
  constructor(
    private readonly registry: McpRegistry,
    private readonly notes: NotesService,
  ) {}

  onModuleInit() {
    // #region list
    this.registry.addResourceTemplate({
      uriTemplate: 'notes://{id}',
      name: 'note',
      mimeType: 'text/markdown',
      list: async () => this.notes.all().map((note) => ({ uri: `notes://${note.id}`, name: note.title })),
      handler: async ({ variables }) => this.notes.get(variables.id)?.body ?? '',
    });
    // #endregion
  }
}
