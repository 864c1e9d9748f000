import { Inject, Injectable, NotFoundException, type OnModuleInit } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { NotesStore } from './notes.store.js';

export interface Note {
  id: string;
  title: string;
  text: string;
  updatedAt: string;
}

export interface NoteChange {
  type: 'added' | 'updated' | 'deleted';
  note: Note;
}

/**
 * The notes: plain application code that knows nothing of MCP, over a {@link NotesStore} (memory,
 * or Redis shared by every instance when the sample runs with REDIS_URL).
 */
@Injectable()
export class NotesService implements OnModuleInit {
  private readonly changes = new Subject<NoteChange>();

  /** Every change made through this instance, as it happens. */
  readonly changes$: Observable<NoteChange> = this.changes.asObservable();

  constructor(@Inject(NotesStore) private readonly store: NotesStore) {}

  async onModuleInit(): Promise<void> {
    if (await this.store.claimSeed()) {
      await this.add('Welcome', 'Add notes with add_note, read them as notes://{id} resources, search them with search_notes.');
    }
  }

  async add(title: string, text: string): Promise<Note> {
    const note = { id: await this.store.nextId(), title, text, updatedAt: new Date().toISOString() };
    await this.store.save(note);
    this.changes.next({ type: 'added', note });
    return note;
  }

  async update(id: string, changes: Partial<Pick<Note, 'title' | 'text'>>): Promise<Note> {
    const note = { ...(await this.get(id)), ...changes, updatedAt: new Date().toISOString() };
    await this.store.save(note);
    this.changes.next({ type: 'updated', note });
    return note;
  }

  async delete(id: string): Promise<Note> {
    const note = await this.get(id);
    await this.store.remove(id);
    this.changes.next({ type: 'deleted', note });
    return note;
  }

  /** The note, or a Nest `NotFoundException` (a tool error, or "Resource not found" when reading it). */
  async get(id: string): Promise<Note> {
    const note = await this.store.find(id);
    if (!note) throw new NotFoundException(`There is no note ${id}.`);
    return note;
  }

  /** Every note, oldest first. */
  async list(): Promise<Note[]> {
    return (await this.store.all()).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Ids starting with `prefix`, for completion. */
  async ids(prefix = ''): Promise<string[]> {
    return (await this.list()).map((note) => note.id).filter((id) => id.startsWith(prefix));
  }

  /** Case-insensitive match on title or text. */
  matches(note: Note, query: string): boolean {
    const needle = query.toLowerCase();
    return note.title.toLowerCase().includes(needle) || note.text.toLowerCase().includes(needle);
  }
}

/** A note as Markdown, the way resources and prompts show it. */
export const noteMarkdown = (note: Note): string => `# ${note.title}\n\n${note.text}\n`;

export const noteUri = (id: string): string => `notes://${id}`;
