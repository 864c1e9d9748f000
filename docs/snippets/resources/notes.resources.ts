import { Injectable, NotFoundException } from '@nestjs/common';
import { McpCompletion, McpResource, McpResourceTemplate, type McpContext, type McpResourceRequest } from '@nest-mcp/mcp';
import { NotesService } from '../notes.service.js';

@Injectable()
export class NotesResources {
  constructor(private readonly notes: NotesService) {}

  // #region resources
  @McpResource({ uri: 'notes://index', name: 'Note index', mimeType: 'text/markdown' })
  index() {
    return this.notes
      .all()
      .map((note) => `- ${note.title}`)
      .join('\n'); // string → text contents
  }

  @McpResourceTemplate({
    uriTemplate: 'notes://{id}', // RFC 6570 level 1: {id} matches one path segment
    name: 'Note',
    mimeType: 'text/markdown',
  })
  note({ variables }: McpResourceRequest, ctx: McpContext) {
    const note = this.notes.get(variables.id);
    if (!note || note.owner !== ctx.auth.subject) throw new NotFoundException(); // "Resource not found"
    return note.body;
  }

  @McpCompletion({ resourceTemplate: 'notes://{id}', argument: 'id' }) // values for {id} as it is typed
  noteIds(value: string) {
    return this.notes.ids().filter((id) => id.startsWith(value));
  }
  // #endregion
}
