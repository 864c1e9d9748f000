import { Module } from '@nestjs/common';
import { McpFsResourcesModule, McpModule } from '@nest-mcp/mcp';

// #region mounts
@Module({
  imports: [
    McpModule.forRoot({ name: 'handbook', version: '1.0.0' }),
    // docs://guide/intro.md and so on: Markdown only, changes announced to subscribed clients.
    McpFsResourcesModule.forRoot({ root: './handbook', uriPrefix: 'docs://', include: ['**/*.md'], watch: true }),
    // A second root, only for callers with the reports:read scope; files up to 10 MiB.
    McpFsResourcesModule.forRoot({ root: './reports', uriPrefix: 'reports://', scopes: ['reports:read'], maxReadBytes: 10 * 1024 * 1024 }),
  ],
})
export class HandbookModule {}
// #endregion
