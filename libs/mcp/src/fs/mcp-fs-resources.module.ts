import { Module, type DynamicModule } from '@nestjs/common';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { McpSessionEvents } from '../session/mcp-session-events.service.js';
import { FsResourcesMount } from './fs-resources.mount.js';
import { resolveMcpFsResourcesOptions, type McpFsResourcesOptions } from './mcp-fs-resources.options.js';

/**
 * Serves a directory tree as MCP resources, next to `McpModule` (docs/fs-resources.md). Import it
 * once per directory; each mount has its own URI prefix, patterns, limits and access rules.
 *
 * @example
 * imports: [
 *   McpModule.forRoot({ name: 'docs', version: '1.0.0' }),
 *   McpFsResourcesModule.forRoot({ root: './docs', uriPrefix: 'docs://', include: ['**\/*.md'], watch: true }),
 * ]
 */
@Module({})
export class McpFsResourcesModule {
  static forRoot(options: McpFsResourcesOptions): DynamicModule {
    const resolved = resolveMcpFsResourcesOptions(options);
    return {
      module: McpFsResourcesModule,
      providers: [
        {
          provide: FsResourcesMount,
          inject: [McpRegistry, McpSessionEvents],
          useFactory: (registry: McpRegistry, events: McpSessionEvents) => new FsResourcesMount(resolved, registry, events),
        },
      ],
    };
  }
}
