import { Injectable } from '@nestjs/common';

export interface Note {
  id: string;
  title: string;
  body: string;
  owner: string;
}

/** The service the guides' examples inject: notes kept in memory. */
@Injectable()
export class NotesService {
  private readonly notes = new Map<string, Note>();

  async add(owner: string, text: string): Promise<string> {
    const id = String(this.notes.size + 1);
    this.notes.set(id, { id, title: text.split('\n')[0], body: text, owner });
    return id;
  }

  get(id: string): Note | undefined {
    return this.notes.get(id);
  }

  all(): Note[] {
    return [...this.notes.values()];
  }

  ids(): string[] {
    return [...this.notes.keys()];
  }
}
