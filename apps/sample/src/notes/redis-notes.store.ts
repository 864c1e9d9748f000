import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Note } from './notes.service.js';
import type { NotesStore } from './notes.store.js';

/** Notes in Redis (one hash, JSON per note), so every instance of the sample serves the same notes. */
export class RedisNotesStore implements NotesStore, OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'sample:notes',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  async nextId(): Promise<string> {
    return String(await this.redis.incr(`${this.prefix}:seq`));
  }

  async save(note: Note): Promise<void> {
    await this.redis.hset(this.prefix, note.id, JSON.stringify(note));
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.prefix, id)) === 1;
  }

  async find(id: string): Promise<Note | undefined> {
    const json = await this.redis.hget(this.prefix, id);
    return json === null ? undefined : (JSON.parse(json) as Note);
  }

  async all(): Promise<Note[]> {
    return (await this.redis.hvals(this.prefix)).map((json) => JSON.parse(json) as Note);
  }

  async claimSeed(): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:seeded`, '1', 'NX')) === 'OK';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
