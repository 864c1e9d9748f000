import { afterAll, beforeAll } from '@jest/globals';
import { describeSessionHostContract } from '@nest-mcp/mcp/testing';
import { randomUUID } from 'node:crypto';
import { testRedisUrl } from '../../../test/support/redis-server.js';
import { RedisSessionHost } from './redis-session-host.js';

let redis: { url: string; dispose(): Promise<void> };
beforeAll(async () => {
  redis = await testRedisUrl();
});
afterAll(() => redis.dispose());

describeSessionHostContract(
  'RedisSessionHost',
  () =>
    new RedisSessionHost({
      url: redis.url,
      keyPrefix: `contract-${randomUUID()}:`,
      maxEventsPerStream: 5,
      maxValueBytes: 1_024,
      maxStreamsPerSession: 8,
      maxValuesPerSession: 8,
    }),
  { retainedEventsPerStream: 5, valueLimitBytes: 1_024, streamsPerSession: 8, valuesPerSession: 8 },
);
