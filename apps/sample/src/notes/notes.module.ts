import { Module } from '@nestjs/common';
import { NotesSync } from './notes-sync.service.js';
import { NotesResources } from './notes.resources.js';
import { NotesService } from './notes.service.js';
import { NotesTools } from './notes.tools.js';

/** The notes feature: a plain service, and the providers that expose it over MCP. */
@Module({
  providers: [NotesService, NotesTools, NotesResources, NotesSync],
  exports: [NotesService],
})
export class NotesModule {}
