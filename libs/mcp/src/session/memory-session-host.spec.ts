import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from '@jest/globals';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { describeSessionHostContract, sessionMetadata } from '../testing/index.js';
import { MemorySessionHost, type MemorySessionHostOptions } from './memory-session-host.js';
import type { SessionMetadata } from './session-host.interface.js';
import { SessionLimitError } from './session.errors.js';

describeSessionHostContract(
  'MemorySessionHost',
  () => new MemorySessionHost({ maxEventsPerStream: 5, maxValueBytes: 1_024, maxStreamsPerSession: 8, maxValuesPerSession: 8 }),
  { retainedEventsPerStream: 5, valueLimitBytes: 1_024, streamsPerSession: 8, valuesPerSession: 8 },
);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Counts the timers (`setTimeout`/`setInterval`) created inside `run` that are still scheduled.
 * Timers Jest itself creates meanwhile (its reporters run in this process) are not counted.
 */
function trackTimers() {
  const tracking = new AsyncLocalStorage<boolean>();
  const scheduled = new Set<number>();
  const hook = createHook({
    init: (asyncId, type) => {
      if (type === 'Timeout' && tracking.getStore()) scheduled.add(asyncId);
    },
    destroy: (asyncId) => scheduled.delete(asyncId),
  }).enable();
  return {
    run: (body: () => Promise<void>) => tracking.run(true, body),
    async scheduled(): Promise<number> {
      // Destroy hooks of cleared timers run on a later turn of the event loop.
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      return scheduled.size;
    },
    stop: () => hook.disable(),
  };
}

describe('MemorySessionHost', () => {
  const hosts: MemorySessionHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });

  function newHost(options: MemorySessionHostOptions = {}): MemorySessionHost {
    const host = new MemorySessionHost(options);
    hosts.push(host);
    return host;
  }

  async function newSession(host: MemorySessionHost, overrides: Partial<SessionMetadata> = {}): Promise<string> {
    const metadata = sessionMetadata(overrides);
    await host.createSession(metadata);
    return metadata.id;
  }

  const expiryOf = (host: MemorySessionHost, id: string) =>
    firstValueFrom(
      host.expired$.pipe(
        filter((expired) => expired === id),
        timeout(3_000),
      ),
    );

  describe('maxSessions', () => {
    it('refuses more sessions until one is deleted', async () => {
      const host = newHost({ maxSessions: 2 });
      const first = await newSession(host);
      await newSession(host);

      await expect(newSession(host)).rejects.toBeInstanceOf(SessionLimitError);
      await host.deleteSession(first);
      await expect(newSession(host)).resolves.toBeDefined();
    });

    it('makes room when a session expires', async () => {
      const host = newHost({ maxSessions: 1 });
      await newSession(host, { idleTtlMs: 200 });
      await expect(newSession(host)).rejects.toBeInstanceOf(SessionLimitError);

      await sleep(600);

      await expect(newSession(host)).resolves.toBeDefined();
    });
  });

  describe('expired$', () => {
    it('reports a session found expired on access, which deleteSession does not count as deleted', async () => {
      const host = newHost();
      const id = await newSession(host, { idleTtlMs: 200 });
      const expired: string[] = [];
      host.expired$.subscribe((sessionId) => expired.push(sessionId));

      await sleep(600);

      expect(await host.deleteSession(id)).toBe(false);
      expect(expired).toEqual([id]);
    });

    it('reports a session the sweep found expired', async () => {
      const host = newHost({ sweepIntervalMs: 50 });
      const id = await newSession(host, { idleTtlMs: 200 });

      await expect(expiryOf(host, id)).resolves.toBe(id);
      expect(host.size).toBe(0);
    });
  });

  it('leaves no timer running once it holds no sessions or is closed', async () => {
    const timers = trackTimers();
    try {
      await timers.run(async () => {
        const host = newHost({ sweepIntervalMs: 50 });
        const deleted = await newSession(host);
        expect(await timers.scheduled()).toBeGreaterThan(0);
        await host.deleteSession(deleted);
        expect(await timers.scheduled()).toBe(0);

        const expiring = await newSession(host, { idleTtlMs: 100 });
        await expiryOf(host, expiring);
        expect(await timers.scheduled()).toBe(0);

        await newSession(host);
        await host.close();
        expect(await timers.scheduled()).toBe(0);
      });
    } finally {
      timers.stop();
    }
  });
});
