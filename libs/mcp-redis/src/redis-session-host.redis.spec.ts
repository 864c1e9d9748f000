import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SessionHostUnavailableError, type NodeMessage } from '@nest-mcp/mcp';
import { sessionMetadata } from '@nest-mcp/mcp/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, lastValueFrom, ReplaySubject, take, timeout, toArray } from 'rxjs';
import { RedisServer } from '../../../test/support/redis-server.js';
import { McpRedisModule } from './mcp-redis.module.js';
import { RedisSessionHost } from './redis-session-host.js';
import type { RedisSessionHostOptions } from './redis-session-host.options.js';

/** Connections Redis sees, other than the `redis-cli` asking. */
async function connections(server: RedisServer): Promise<number> {
  return (await server.cli('CLIENT', 'LIST')).split('\n').filter(Boolean).length - 1;
}

/** Commands the server has answered, other than the `INFO` that asks. */
async function commandsServed(server: RedisServer): Promise<number> {
  const stats = (await server.cli('INFO', 'commandstats'))
    .split('\n')
    .filter((line) => line.startsWith('cmdstat_') && !line.startsWith('cmdstat_info:'));
  return stats.reduce((sum, line) => sum + Number(/calls=(\d+)/.exec(line)![1]), 0);
}

async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await sleep(50);
    }
  }
}

describe('RedisSessionHost with a real redis-server', () => {
  let server: RedisServer;
  const hosts: RedisSessionHost[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await RedisServer.start();
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.dispose();
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
    expect(unhandled).toEqual([]);
  });

  function newHost(options: RedisSessionHostOptions = {}): RedisSessionHost {
    const host = new RedisSessionHost({ url: server.url, keyPrefix: `t-${randomUUID()}:`, ...options });
    hosts.push(host);
    return host;
  }

  async function newSession(host: RedisSessionHost, overrides: Parameters<typeof sessionMetadata>[0] = {}): Promise<string> {
    const metadata = sessionMetadata(overrides);
    await host.createSession(metadata);
    return metadata.id;
  }

  const keysOf = async (prefix: string) => (await server.cli('KEYS', `${prefix}*`)).split('\n').filter(Boolean).sort();
  // A principal's index of sessions is the principal's, not a session's: it outlives each session
  // (pruned when read, expiring with the longest lifetime of the sessions it lists).
  const sessionKeysOf = async (prefix: string) => (await keysOf(prefix)).filter((key) => !key.startsWith(`${prefix}sessions-of:`));

  it('keeps a session in keys tagged with its id, all expiring together, clamped to the absolute lifetime', async () => {
    const prefix = `ttl-${randomUUID()}:`;
    const host = newHost({ keyPrefix: prefix });
    const id = await newSession(host, { idleTtlMs: 60_000, maxLifetimeMs: 30_000 });
    await host.appendEvent(id, 'get', 'a');
    await host.appendEvent(id, 'post-1', 'b', true);
    await host.putValue(id, 'k', 'v');

    const keys = await sessionKeysOf(prefix);
    expect(keys).toEqual(
      [`${prefix}{${id}}:session`, `${prefix}{${id}}:streams`, `${prefix}{${id}}:s:get`, `${prefix}{${id}}:s:post-1`].sort(),
    );
    const ttls = await Promise.all(keys.map(async (key) => Number(await server.cli('PTTL', key))));
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(25_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    }
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeLessThan(1_000);
    const [index, ...more] = (await keysOf(prefix)).filter((key) => !keys.includes(key));
    expect([index, more]).toEqual([`${prefix}sessions-of:user:contract`, []]);
    expect(Number(await server.cli('PTTL', index))).toBeGreaterThan(25_000);
    expect(Number(await server.cli('PTTL', index))).toBeLessThanOrEqual(30_000);
  });

  it('refreshes the lifetime of every key of the session on touch', async () => {
    const prefix = `touch-${randomUUID()}:`;
    const host = newHost({ keyPrefix: prefix });
    const id = await newSession(host, { idleTtlMs: 2_000 });
    await host.appendEvent(id, 's', 'a');
    await sleep(1_000);

    await host.touchSession(id);

    // About 1 s was left before the touch; anything above 1.5 s can only come from the refresh.
    for (const key of await sessionKeysOf(prefix)) expect(Number(await server.cli('PTTL', key))).toBeGreaterThan(1_500);
    await sleep(2_300);
    expect(await sessionKeysOf(prefix)).toEqual([]);
  });

  it('leaves no key behind once sessions are deleted, and never scans the keyspace', async () => {
    const prefix = `gone-${randomUUID()}:`;
    const host = newHost({ keyPrefix: prefix });
    await server.cli('CONFIG', 'RESETSTAT');
    for (let index = 0; index < 50; index++) {
      const id = await newSession(host);
      await host.appendEvent(id, 'get', 'x');
      await host.appendEvent(id, 'p', 'y', true);
      await host.putValue(id, 'k', 'v');
      await host.touchSession(id);
      await host.deleteSession(id);
    }
    const stats = await server.cli('INFO', 'commandstats');
    expect(await keysOf(prefix)).toEqual([]);
    expect(stats).not.toMatch(/cmdstat_(keys|scan):/);
  });

  it('writes nothing for a task update that leaves the task as it is', async () => {
    const host = newHost();
    const task = { id: randomUUID(), owner: 'owner', createdAt: Date.now(), expiresAt: Date.now() + 60_000, state: '{}' };
    await host.createTask(task, 10);
    await server.cli('CONFIG', 'RESETSTAT');

    expect(await host.updateTask(task.id, (current) => current)).toEqual(task);

    expect(await server.cli('INFO', 'commandstats')).not.toMatch(/cmdstat_(evalsha|eval|set):/);
  });

  it('propagates an error thrown by the update of mutateSession and stores nothing', async () => {
    const host = newHost();
    const id = await newSession(host);
    const before = await host.getSession(id);

    await expect(
      host.mutateSession(id, () => {
        throw new Error('no thanks');
      }),
    ).rejects.toThrow('no thanks');
    expect(await host.getSession(id)).toEqual(before);
  });

  it('serves 1,000 live streams over one subscriber connection', async () => {
    const before = await connections(server);
    const host = newHost();
    const ids = await Promise.all(Array.from({ length: 1_000 }, () => newSession(host)));
    const received = ids.map((id) => firstValueFrom(host.streamEvents(id, 'get', 0).pipe(timeout(10_000))));
    await eventually(async () => expect(host.liveStreams).toBe(1_000));
    await Promise.all(ids.map((id) => host.appendEvent(id, 'get', `to ${id}`)));

    expect((await Promise.all(received)).map((event) => event.payload)).toEqual(ids.map((id) => `to ${id}`));
    expect(await connections(server)).toBe(before + 2);
  });

  it('costs Redis nothing while live streams are idle, and ends each when its session expires', async () => {
    const host = newHost();
    const ids = await Promise.all(Array.from({ length: 200 }, () => newSession(host, { idleTtlMs: 2_000 })));
    const ended = ids.map((id) => lastValueFrom(host.streamEvents(id, 'get', 0).pipe(toArray(), timeout(10_000))));
    await eventually(async () => expect(host.liveStreams).toBe(200));
    await sleep(300); // every stream's first read has been answered
    const before = await commandsServed(server);

    await sleep(1_200);

    expect((await commandsServed(server)) - before).toBe(0);
    // Each stream reads again once its session would have expired, finds it gone and ends, without an event.
    expect(await Promise.all(ended)).toEqual(ids.map(() => []));
  });

  it('closes the connections it created, but not a client it was given', async () => {
    const before = await connections(server);
    const own = new RedisSessionHost({ url: server.url });
    await own.subscribe(randomUUID(), () => undefined);
    await eventually(async () => expect(await connections(server)).toBe(before + 2));
    await own.close();
    await eventually(async () => expect(await connections(server)).toBe(before));

    const client = new Redis(server.url);
    try {
      const given = new RedisSessionHost({ client });
      await given.subscribe(randomUUID(), () => undefined);
      await given.close();
      await eventually(async () => expect(await connections(server)).toBe(before + 1));
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('is built by McpRedisModule.forRootAsync from injected config, and closed with the app', async () => {
    @Injectable()
    class Config {
      readonly redisUrl = server.url;
    }
    @Module({ providers: [Config], exports: [Config] })
    class ConfigModule {}

    const before = await connections(server);
    const moduleRef = await Test.createTestingModule({
      imports: [
        McpRedisModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: (config: Config) => ({ url: config.redisUrl, keyPrefix: 'module-test:' }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    const host = app.get(RedisSessionHost);
    const id = await newSession(host);
    expect(await host.getSession(id)).toBeDefined();
    await host.deleteSession(id);

    await app.close();
    await eventually(async () => expect(await connections(server)).toBe(before));
  });

  it('delivers node messages published while its subscriber reconnects, once each and in order', async () => {
    const host = newHost();
    const nodeId = randomUUID();
    const received: unknown[] = [];
    await host.subscribe(nodeId, (message) => void received.push(message.n));
    await host.publish(nodeId, { type: 'n', n: 1 });
    await eventually(async () => expect(received).toEqual([1]));

    await server.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    for (let n = 2; n <= 6; n++) await host.publish(nodeId, { type: 'n', n });
    await host.broadcast({ type: 'n', n: 7 });

    await eventually(async () => expect(received).toEqual([1, 2, 3, 4, 5, 6, 7]));
    await host.publish(nodeId, { type: 'n', n: 8 });
    await sleep(1_500);
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await host.close();
  });

  describe('when Redis goes away', () => {
    it('fails operations quickly with SessionHostUnavailableError, ends live streams, and recovers', async () => {
      const host = newHost({ commandTimeoutMs: 1_000 });
      const id = await newSession(host);
      await host.appendEvent(id, 'get', 'before');
      const nodeId = randomUUID();
      const inbox = new ReplaySubject<NodeMessage>();
      await host.subscribe(nodeId, (message) => inbox.next(message));
      const live = lastValueFrom(host.streamEvents(id, 'get', 0).pipe(toArray())).catch((error: unknown) => error);
      await eventually(async () => expect(host.liveStreams).toBe(1));
      const { epoch } = host.connection;
      expect(host.connection).toEqual({ connected: true, epoch });

      await server.stop({ save: true });

      expect(await live).toBeInstanceOf(SessionHostUnavailableError);
      // Nodes must stop trusting what they cached: the host says it is away, in a new epoch.
      expect(host.connection.connected).toBe(false);
      expect(host.connection.epoch).toBeGreaterThan(epoch);
      for (const operation of [
        () => host.getSession(id),
        () => host.appendEvent(id, 'get', 'during'),
        () => host.touchSession(id),
        () => host.publish(nodeId, { type: 'during' }),
      ]) {
        const start = Date.now();
        await expect(operation()).rejects.toBeInstanceOf(SessionHostUnavailableError);
        expect(Date.now() - start).toBeLessThan(2_500);
      }
      await expect(firstValueFrom(host.streamEvents(id, 'get', 1))).rejects.toBeInstanceOf(SessionHostUnavailableError);

      await server.restart({ keepData: true });

      await eventually(async () => expect(await host.getSession(id)).toBeDefined());
      await eventually(async () => expect(host.connection.connected).toBe(true));
      const resumed = firstValueFrom(host.streamEvents(id, 'get', 1).pipe(take(1), timeout(5_000)));
      await host.appendEvent(id, 'get', 'after');
      expect(await resumed).toEqual({ seq: 2, payload: 'after', final: false });
      // The node's inbox subscription came back by itself.
      await eventually(async () => {
        await host.publish(nodeId, { type: 'after' });
        await firstValueFrom(inbox.pipe(take(1), timeout(500)));
      });
    });

    it('answers a restarted, empty Redis with unknown sessions, and works on', async () => {
      const host = newHost({ commandTimeoutMs: 1_000 });
      const id = await newSession(host);

      await server.restart({ keepData: false });

      await eventually(async () => expect(await host.getSession(id)).toBeUndefined());
      const fresh = await newSession(host);
      expect(await host.appendEvent(fresh, 's', 'scripts are loaded again')).toBe(1);
    });
  });
});
