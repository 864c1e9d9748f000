import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { McpRedisModule, RedisSessionHost } from '@nest-mcp/mcp-redis';
import { mcpAuthFromEnv } from './auth.config.js';
import { NotesModule } from './notes/notes.module.js';
import { SampleTools } from './tools/sample-tools.js';

// OAuth when MCP_AUTH_ISSUER and MCP_AUTH_AUDIENCE are set (docs/auth.md).
const auth = mcpAuthFromEnv();
// REDIS_URL keeps sessions in Redis, so that several instances serve them (docs/several-instances.md).
const redisUrl = process.env.REDIS_URL;

@Module({
  imports: [
    McpModule.forRootAsync({
      imports: redisUrl ? [McpRedisModule.forRoot({ url: redisUrl })] : [],
      inject: redisUrl ? [RedisSessionHost] : [],
      useFactory: (sessionHost?: RedisSessionHost) => ({
        name: 'nest-mcp-sample',
        version: '0.1.0',
        title: 'nest-mcp sample',
        instructions:
          'A sample server: keep notes (add, search, update, delete; read them as notes://{id} resources; ' +
          'summarise one with the summarize_note prompt), echo text, add numbers, count with progress.',
        ...(auth && { auth }),
        // The public base URL behind a reverse proxy, for the OAuth metadata URLs.
        ...(process.env.MCP_PUBLIC_URL && { publicUrl: process.env.MCP_PUBLIC_URL }),
        ...(sessionHost && { sessionHost }),
        // Seals the requestState of 2026-07-28 requests that ask the user (docs/client-requests.md):
        // the same value on every instance; required when NODE_ENV=production.
        ...(process.env.MCP_REQUEST_STATE_SECRET && { requestStateSecret: process.env.MCP_REQUEST_STATE_SECRET }),
      }),
    }),
    NotesModule,
  ],
  providers: [SampleTools],
})
export class AppModule {}
