import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeSessionHostContract, sessionMetadata } from '@nest-mcp/mcp/testing';
import { Cluster } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, take, toArray } from 'rxjs';
import { RedisCluster } from '../../../test/support/redis-server.js';
import { RedisSessionHost } from './redis-session-host.js';
import type { RedisPubSubMode } from './redis-session-host.options.js';

let cluster: RedisCluster;
let client: Cluster;
beforeAll(async () => {
  cluster = await RedisCluster.start(3);
  client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000 } });
}, 60_000);
afterAll(async () => {
  await client?.quit();
  await cluster?.dispose();
});

// One Cluster client for every host: it is the caller's, so closing a host must leave it working.
for (const pubSub of ['sharded', 'classic'] satisfies RedisPubSubMode[]) {
  describeSessionHostContract(
    `RedisSessionHost on a 3-node Redis Cluster, ${pubSub} pub/sub`,
    () =>
      new RedisSessionHost({
        client,
        pubSub,
        keyPrefix: `cluster-${randomUUID()}:`,
        maxEventsPerStream: 5,
        maxValueBytes: 1_024,
        maxStreamsPerSession: 8,
        maxValuesPerSession: 8,
      }),
    { retainedEventsPerStream: 5, valueLimitBytes: 1_024, streamsPerSession: 8, valuesPerSession: 8 },
  );
}

describe('RedisSessionHost on a Redis Cluster', () => {
  it('keeps every key of a session in one slot, and sessions spread over the nodes', async () => {
    const keyPrefix = `slots-${randomUUID()}:`;
    const host = new RedisSessionHost({ client, keyPrefix });
    try {
      const ids: string[] = [];
      for (let index = 0; index < 12; index++) {
        const { id } = sessionMetadata();
        ids.push(id);
        await host.createSession(sessionMetadata({ id }));
        await host.appendEvent(id, 'a', 'one');
        await host.appendEvent(id, 'b', 'two', true);
        await host.putValue(id, 'k', 'v');
      }
      const received = firstValueFrom(host.streamEvents(ids[0], 'a', 0).pipe(take(2), toArray()));
      await host.appendEvent(ids[0], 'a', 'live');
      expect((await received).map((event) => event.payload)).toEqual(['one', 'live']);

      const keysPerNode = await Promise.all(
        cluster.servers.map(async (server) => (await server.cli('KEYS', `${keyPrefix}*`)).split('\n').filter(Boolean)),
      );
      expect(keysPerNode.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
      for (const id of ids) {
        const holders = keysPerNode.filter((keys) => keys.some((key) => key.includes(`{${id}}`)));
        expect(holders).toHaveLength(1);
        // session hash, streams set, two streams
        expect(holders[0].filter((key) => key.includes(`{${id}}`))).toHaveLength(4);
      }
      for (const id of ids) await host.deleteSession(id);
      const left = await Promise.all(cluster.servers.map((server) => server.cli('KEYS', `${keyPrefix}*`)));
      expect(left.join('')).toBe('');
    } finally {
      await host.close();
    }
  });
});
