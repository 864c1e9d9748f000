import { McpModule } from '@nest-mcp/mcp';
import { RedisSessionHost } from '@nest-mcp/mcp-redis';
import { Cluster } from 'ioredis';

// #region cluster
const cluster = new Cluster([{ host: 'redis-1', port: 6379 }], {
  redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000 }, // fast 503s during an outage
});
const sessionHost = new RedisSessionHost({ client: cluster }); // yours to close: await sessionHost.close()
export const mcp = McpModule.forRoot({ name: 'notes', version: '1.0.0', sessionHost });
// #endregion
