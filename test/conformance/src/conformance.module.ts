import { Module } from '@nestjs/common';
import { McpModule } from '@nest-mcp/mcp';
import { McpRedisModule, RedisSessionHost } from '@nest-mcp/mcp-redis';
import { ConformanceContent } from './conformance.content.js';
import { ConformanceTaskTools } from './conformance-tasks.tools.js';
import { ConformanceInputTools } from './conformance-input.tools.js';
import { ConformanceTools } from './conformance.tools.js';

// REDIS_URL runs the fixture on the Redis session host, so the suites can check it too.
const redisUrl = process.env.REDIS_URL;

/** The server the official conformance suite tests: every feature, exact fixture names, no auth. */
@Module({
  imports: [
    McpModule.forRootAsync({
      imports: redisUrl ? [McpRedisModule.forRoot({ url: redisUrl, keyPrefix: `conformance-${process.pid}:` })] : [],
      inject: redisUrl ? [RedisSessionHost] : [],
      useFactory: (sessionHost?: RedisSessionHost) => ({
        name: 'nest-mcp-conformance',
        version: '1.0.0',
        ...(sessionHost && { sessionHost }),
        // Localhost origins only (the default): the suite's DNS-rebinding scenario expects a refusal.
      }),
    }),
  ],
  providers: [ConformanceTools, ConformanceInputTools, ConformanceTaskTools, ConformanceContent],
})
export class ConformanceModule {}
