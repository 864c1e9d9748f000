import { Module } from '@nestjs/common';
import { MCP_REDIS_OPTIONS, McpRedisConfigurableModule } from './mcp-redis.module-definition.js';
import { RedisSessionHost } from './redis-session-host.js';
import type { RedisSessionHostOptions } from './redis-session-host.options.js';

/**
 * Provides a {@link RedisSessionHost} (injectable by its class) built from options or from an async
 * factory, and closes the connections it created when the app shuts down. Hand it to `McpModule`:
 *
 * @example
 * McpModule.forRootAsync({
 *   imports: [
 *     McpRedisModule.forRootAsync({
 *       imports: [ConfigModule],
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({ url: config.getOrThrow('REDIS_URL') }),
 *     }),
 *   ],
 *   inject: [RedisSessionHost],
 *   useFactory: (sessionHost: RedisSessionHost) => ({ name: 'notes', version: '1.0.0', sessionHost }),
 * })
 */
@Module({
  providers: [
    {
      provide: RedisSessionHost,
      inject: [MCP_REDIS_OPTIONS],
      useFactory: (options: RedisSessionHostOptions) => new RedisSessionHost(options),
    },
  ],
  exports: [RedisSessionHost],
})
export class McpRedisModule extends McpRedisConfigurableModule {}
