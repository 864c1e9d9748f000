import { Injectable, NotFoundException } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';

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
 * An in-memory note store: plain application code that knows nothing of MCP. Each process has its
 * own notes; with REDIS_URL and several instances, back it with a shared database instead.
 */
@Injectable()
export class NotesService {
  private readonly notes = new Map<string, Note>();
  private readonly changes = new Subject<NoteChange>();
  private lastId = 0;

  /** Every change, as it happens. */
  readonly changes$: Observable<NoteChange> = this.changes.asObservable();

  constructor() {
    this.add('Welcome', 'Notes live in memory. Add some with add_note, read them as notes://{id} resources.');
  }

  add(title: string, text: string): Note {
    const note = { id: `${++this.lastId}`, title, text, updatedAt: new Date().toISOString() };
    this.notes.set(note.id, note);
    this.changes.next({ type: 'added', note });
    return note;
  }

  update(id: string, changes: Partial<Pick<Note, 'title' | 'text'>>): Note {
    const note = { ...this.get(id), ...changes, updatedAt: new Date().toISOString() };
    this.notes.set(id, note);
    this.changes.next({ type: 'updated', note });
    return note;
  }

  delete(id: string): Note {
    const note = this.get(id);
    this.notes.delete(id);
    this.changes.next({ type: 'deleted', note });
    return note;
  }

  /** The note, or a Nest `NotFoundException` (a tool error, or -32002 "Resource not found" when reading it). */
  get(id: string): Note {
    const note = this.notes.get(id);
    if (!note) throw new NotFoundException(`There is no note ${id}.`);
    return note;
  }

  list(): Note[] {
    return [...this.notes.values()];
  }

  /** Ids starting with `prefix`, for completion. */
  ids(prefix = ''): string[] {
    return [...this.notes.keys()].filter((id) => id.startsWith(prefix));
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
