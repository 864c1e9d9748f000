import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { NotesService } from '../notes.service.js';
import { ScopedNotesTools } from './scoped-notes.tools.js';

@Module({
  imports: [
    // #region auth
    McpModule.forRoot({
      name: 'notes',
      version: '1.0.0',
      publicUrl: 'https://mcp.example.com', // or trustProxy: true behind a reverse proxy
      auth: {
        issuer: 'https://id.example.com/realms/mcp',
        audience: 'https://mcp.example.com/mcp',
        requiredScopes: ['mcp:tools'], // every request needs these (403 otherwise)
        scopesSupported: ['mcp:tools', 'notes:write'],
      },
    }),
    // #endregion
  ],
  providers: [NotesService, ScopedNotesTools],
})
export class AppModule {}
