/** Redis session host for `@nest-mcp/mcp`: any instance of an app serves any session. */
export { RedisSessionHost } from './redis-session-host.js';
export type { RedisPubSubMode, RedisSessionHostOptions } from './redis-session-host.options.js';
export { McpRedisModule } from './mcp-redis.module.js';
