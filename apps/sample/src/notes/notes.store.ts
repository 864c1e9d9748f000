import type { Note } from './notes.service.js';

/** Where notes are kept. Every instance of the app must see the same notes, so several instances share one store. */
export interface NotesStore {
  /** A new, never used note id. */
  nextId(): Promise<string>;
  save(note: Note): Promise<void>;
  /** Whether the note existed. */
  remove(id: string): Promise<boolean>;
  find(id: string): Promise<Note | undefined>;
  all(): Promise<Note[]>;
  /** True for exactly one caller ever: whoever gets it adds the welcome note. */
  claimSeed(): Promise<boolean>;
}

/** Injection token of the {@link NotesStore} in use. */
export const NotesStore = Symbol('NotesStore');

/** Notes in this process's memory: one instance only. */
export class MemoryNotesStore implements NotesStore {
  private readonly notes = new Map<string, Note>();
  private lastId = 0;
  private seeded = false;

  async nextId(): Promise<string> {
    return String(++this.lastId);
  }

  async save(note: Note): Promise<void> {
    this.notes.set(note.id, note);
  }

  async remove(id: string): Promise<boolean> {
    return this.notes.delete(id);
  }

  async find(id: string): Promise<Note | undefined> {
    return this.notes.get(id);
  }

  async all(): Promise<Note[]> {
    return [...this.notes.values()];
  }

  async claimSeed(): Promise<boolean> {
    const first = !this.seeded;
    this.seeded = true;
    return first;
  }
}
