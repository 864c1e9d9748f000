import { Module } from '@nestjs/common';
import { NotesSync } from './notes-sync.service.js';
import { NotesResources } from './notes.resources.js';
import { NotesService } from './notes.service.js';
import { MemoryNotesStore, NotesStore } from './notes.store.js';
import { NotesTools } from './notes.tools.js';
import { RedisNotesStore } from './redis-notes.store.js';

/**
 * The notes feature: a plain service over a store, and the providers that expose it over MCP. With
 * REDIS_URL the notes live in Redis, so every instance of the sample serves the same ones.
 */
@Module({
  providers: [
    {
      provide: NotesStore,
      useFactory: () => (process.env.REDIS_URL ? new RedisNotesStore(process.env.REDIS_URL) : new MemoryNotesStore()),
    },
    NotesService,
    NotesTools,
    NotesResources,
    NotesSync,
  ],
  exports: [NotesService],
})
export class NotesModule {}
