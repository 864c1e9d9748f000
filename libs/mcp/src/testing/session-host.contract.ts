import { randomUUID } from 'node:crypto';
import { expect } from 'expect';
import {
  firstValueFrom,
  lastValueFrom,
  ReplaySubject,
  take,
  throwError,
  timeout,
  toArray,
  type Observable,
  type OperatorFunction,
} from 'rxjs';
import type { NodeMessage, SessionEvent, SessionHost, SessionMetadata, StoredTask } from '../session/session-host.interface.js';
import { ReplayUnavailableError, SessionExistsError, SessionValueLimitError, TaskLimitError } from '../session/session.errors.js';

/**
 * The structure functions of a test runner. Jest and Vitest (with globals) provide them as globals,
 * which is the default; with `node:test` pass them: `import { describe, it, beforeEach, afterEach } from 'node:test'`.
 */
export interface ContractTestRunner {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, body: () => Promise<void>) => unknown;
  beforeEach: (body: () => Promise<void> | void) => unknown;
  afterEach: (body: () => Promise<void> | void) => unknown;
}

/** The runner's functions from the globals Jest and Vitest define; fails with a clear message elsewhere. */
function globalRunner(): ContractTestRunner {
  const globals = globalThis as unknown as Partial<ContractTestRunner>;
  if (!globals.describe || !globals.it || !globals.beforeEach || !globals.afterEach) {
    throw new Error(
      'describeSessionHostContract: no test globals (describe, it, beforeEach, afterEach) here; pass them as the "runner" option, e.g. from node:test.',
    );
  }
  return globals as ContractTestRunner;
}

export interface SessionHostContractOptions {
  /** Where `describe`, `it`, `beforeEach` and `afterEach` come from. Default: the runner's globals (Jest, Vitest). */
  runner?: ContractTestRunner;
  /**
   * How many events each stream of the host under test retains (the newest ones). The factory must
   * create hosts with this retention; keep it small, the retention test appends a few more.
   */
  retainedEventsPerStream: number;
  /** The largest value, in UTF-8 bytes, that `putValue` of the host under test accepts. */
  valueLimitBytes: number;
  /** How many values one session may hold in the host under test. */
  valuesPerSession: number;
  /**
   * How many streams one session keeps in the host under test: beyond it the oldest finished stream
   * is dropped, and an open one never is.
   */
  streamsPerSession: number;
  /** Longest wait for anything the host should deliver before a test fails. Default 5 s. */
  waitMs?: number;
}

/** Metadata of a fresh session with a random id, every optional field set, and long TTLs. */
export function sessionMetadata(overrides: Partial<SessionMetadata> = {}): SessionMetadata {
  return {
    id: randomUUID(),
    principal: 'user:contract',
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'contract-client', version: '1.0.0', title: 'Contract ✓' },
    clientCapabilities: { roots: { listChanged: true }, sampling: {} },
    initialized: false,
    logLevel: 'info',
    createdAt: Date.now(),
    idleTtlMs: 60_000,
    maxLifetimeMs: 3_600_000,
    attributes: { subscriptions: ['file:///a.txt'], nested: { flag: true, list: [1, 'two', null] } },
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fails with a readable message instead of hanging when a host never delivers. */
function within<T>(ms: number, what: string): OperatorFunction<T, T> {
  return timeout({ first: ms, with: () => throwError(() => new Error(`Timed out after ${ms} ms waiting for ${what}.`)) });
}

const event = (seq: number, payload: string, final = false): SessionEvent => ({ seq, payload, final });

/**
 * The rules every {@link SessionHost} keeps, one section per concern (sessions, stream logs, node
 * messages, values, single-use claims), through its public interface only and with real time, so the suite runs unchanged against any host, including one backed by a
 * store that other test runs share: every id is random and every session is deleted afterwards.
 */
export function describeSessionHostContract(
  name: string,
  createHost: () => SessionHost | Promise<SessionHost>,
  options: SessionHostContractOptions,
): void {
  const { retainedEventsPerStream: retained, valueLimitBytes, valuesPerSession, streamsPerSession, waitMs = 5_000 } = options;
  const { describe, it, beforeEach, afterEach } = options.runner ?? globalRunner();

  describe(`SessionHost contract: ${name}`, () => {
    let host: SessionHost;
    let cleanups: Array<() => unknown>;

    beforeEach(async () => {
      cleanups = [];
      host = await createHost();
    });

    afterEach(async () => {
      try {
        for (const cleanup of cleanups.reverse()) await cleanup();
      } finally {
        await host.close?.();
      }
    });

    async function newSession(overrides: Partial<SessionMetadata> = {}): Promise<SessionMetadata> {
      const metadata = sessionMetadata(overrides);
      await host.createSession(metadata);
      cleanups.push(() => host.deleteSession(metadata.id));
      return metadata;
    }

    async function appendAll(sessionId: string, streamId: string, payloads: string[], endWithFinal = false) {
      const seqs: number[] = [];
      for (const [index, payload] of payloads.entries()) {
        seqs.push(await host.appendEvent(sessionId, streamId, payload, endWithFinal && index === payloads.length - 1));
      }
      return seqs;
    }

    /** Subscribes now and keeps everything the observable delivers, its completion or its error. */
    function record<T>(source: Observable<T>) {
      const seen = new ReplaySubject<T>();
      const subscription = source.subscribe(seen);
      cleanups.push(() => subscription.unsubscribe());
      return {
        first: (count: number) => firstValueFrom(seen.pipe(take(count), toArray(), within(waitMs, `${count} values`))),
        all: () => lastValueFrom(seen.pipe(toArray(), within(waitMs, 'completion'))),
      };
    }

    const replay = (sessionId: string, streamId: string, afterSeq: number) => record(host.streamEvents(sessionId, streamId, afterSeq));

    describe('metadata', () => {
      it('returns an equal copy of what was created', async () => {
        const metadata = await newSession();
        const original = structuredClone(metadata);
        (metadata.attributes['nested'] as { flag: boolean }).flag = false;

        expect(await host.getSession(metadata.id)).toEqual(original);
      });

      it('refuses to create a session whose id is taken, and keeps the existing one', async () => {
        const existing = await newSession();

        await expect(host.createSession(sessionMetadata({ id: existing.id, principal: 'user:other' }))).rejects.toBeInstanceOf(
          SessionExistsError,
        );
        expect(await host.getSession(existing.id)).toEqual(existing);
      });

      it('answers undefined for an unknown session', async () => {
        expect(await host.getSession(randomUUID())).toBeUndefined();
      });

      it('mutates with the current value and resolves to what it stored', async () => {
        const metadata = await newSession();
        const seen: SessionMetadata[] = [];
        const update = (current: SessionMetadata) => {
          seen.push(current);
          return { ...current, initialized: true, logLevel: 'error' as const };
        };

        const stored = await host.mutateSession(metadata.id, update);

        expect(seen).toEqual([metadata]);
        expect(stored).toEqual({ ...metadata, initialized: true, logLevel: 'error' });
        expect(await host.getSession(metadata.id)).toEqual(stored);
      });

      it('does not call the update of an unknown session', async () => {
        let calls = 0;
        const update = (current: SessionMetadata) => {
          calls++;
          return current;
        };

        expect(await host.mutateSession(randomUUID(), update)).toBeUndefined();
        expect(calls).toBe(0);
      });

      it('applies every one of concurrent mutations (compare-and-set)', async () => {
        const { id } = await newSession({ attributes: { count: 0 } });
        const increment = (current: SessionMetadata) => ({
          ...current,
          attributes: { ...current.attributes, count: (current.attributes['count'] as number) + 1 },
        });

        const results = await Promise.all(Array.from({ length: 20 }, () => host.mutateSession(id, increment)));

        const counts = results.map((result) => result?.attributes['count'] as number).sort((a, b) => a - b);
        expect(counts).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
        expect((await host.getSession(id))?.attributes['count']).toBe(20);
      });

      it('touches existing sessions only', async () => {
        const { id } = await newSession();

        expect(await host.touchSession(id)).toBe(true);
        expect(await host.touchSession(randomUUID())).toBe(false);
      });

      it('deletes once', async () => {
        const { id } = await newSession();

        expect(await host.deleteSession(id)).toBe(true);
        expect(await host.deleteSession(id)).toBe(false);
        expect(await host.getSession(id)).toBeUndefined();
        expect(await host.touchSession(id)).toBe(false);
      });

      it('expires a session left idle for idleTtlMs', async () => {
        const { id } = await newSession({ idleTtlMs: 400 });
        expect(await host.getSession(id)).toBeDefined();

        await sleep(1_200);

        expect(await host.getSession(id)).toBeUndefined();
        expect(await host.touchSession(id)).toBe(false);
        expect(await host.mutateSession(id, (current) => current)).toBeUndefined();
        expect(await host.deleteSession(id)).toBe(false);
      });

      it('restarts the idle TTL on touch and on mutate', async () => {
        const touched = await newSession({ idleTtlMs: 600 });
        const mutated = await newSession({ idleTtlMs: 600 });
        const start = Date.now();

        // Twice the TTL, with activity every quarter of it.
        while (Date.now() - start < 1_200) {
          await sleep(150);
          expect(await host.touchSession(touched.id)).toBe(true);
          expect(await host.mutateSession(mutated.id, (current) => current)).toBeDefined();
        }

        expect(await host.getSession(touched.id)).toBeDefined();
        expect(await host.getSession(mutated.id)).toBeDefined();
      });

      it('ends a session maxLifetimeMs after createdAt however often it is touched', async () => {
        const { id } = await newSession({ idleTtlMs: 600, maxLifetimeMs: 1_000 });
        const start = Date.now();

        while (Date.now() - start < 1_800) {
          await sleep(150);
          const alive = await host.touchSession(id);
          if (Date.now() - start < 500) expect(alive).toBe(true);
        }

        expect(await host.getSession(id)).toBeUndefined();
      });
    });

    describe("a principal's sessions", () => {
      it("lists a principal's live sessions with their last activity, and nobody else's", async () => {
        const principal = `user:${randomUUID()}`;
        const first = await newSession({ principal });
        const second = await newSession({ principal });
        await newSession({ principal: `user:${randomUUID()}` });
        const started = Date.now();
        await sleep(50);
        await host.touchSession(second.id);

        const listed = await host.sessionsOf(principal);
        expect(listed.map(({ session }) => session.id).sort()).toEqual([first.id, second.id].sort());
        const touched = listed.find(({ session }) => session.id === second.id)!;
        expect(touched.session).toEqual(second);
        expect(touched.lastActiveAt).toBeGreaterThanOrEqual(started);
        expect(touched.lastActiveAt).toBeLessThanOrEqual(Date.now());
        expect(listed.find(({ session }) => session.id === first.id)!.lastActiveAt).toBeLessThan(started + 50);
      });

      it('leaves out sessions that were deleted or expired', async () => {
        const principal = `user:${randomUUID()}`;
        const deleted = await newSession({ principal });
        await newSession({ principal, idleTtlMs: 200 });
        const kept = await newSession({ principal });
        await host.deleteSession(deleted.id);
        await sleep(500);
        expect((await host.sessionsOf(principal)).map(({ session }) => session.id)).toEqual([kept.id]);
        expect(await host.sessionsOf(`user:${randomUUID()}`)).toEqual([]);
      });
    });

    describe('session log', () => {
      it('numbers events from 1 per stream of each session', async () => {
        const a = await newSession();
        const b = await newSession();

        const seqs = [
          await host.appendEvent(a.id, 's1', 'a'),
          await host.appendEvent(a.id, 's2', 'b'),
          await host.appendEvent(a.id, 's1', 'c'),
          await host.appendEvent(b.id, 's1', 'd'),
          await host.appendEvent(a.id, 's1', 'e'),
          await host.appendEvent(a.id, 's2', 'f'),
        ];

        expect(seqs).toEqual([1, 1, 2, 1, 3, 2]);
      });

      it('numbers concurrent appends without gaps or duplicates', async () => {
        const { id } = await newSession();
        const payloads = Array.from({ length: Math.min(20, retained) }, (_, index) => `p${index}`);

        const seqs = await Promise.all(payloads.map((payload) => host.appendEvent(id, 's', payload)));

        expect([...seqs].sort((a, b) => a - b)).toEqual(payloads.map((_, index) => index + 1));
        const replayed = await replay(id, 's', 0).first(payloads.length);
        expect(replayed).toEqual(seqs.map((seq, index) => event(seq, payloads[index])).sort((a, b) => a.seq - b.seq));
      });

      it('stores nothing for an unknown session', async () => {
        const id = randomUUID();

        expect(await host.appendEvent(id, 's', 'lost')).toBe(0);
        expect(await host.streamInfo(id, 's')).toBeUndefined();
      });

      it('reports where a stream stands', async () => {
        const { id } = await newSession();
        expect(await host.streamInfo(id, 's')).toBeUndefined();

        await appendAll(id, 's', ['a', 'b']);
        expect(await host.streamInfo(id, 's')).toEqual({ firstSeq: 1, lastSeq: 2, finished: false });

        await host.appendEvent(id, 's', 'c', true);
        expect(await host.streamInfo(id, 's')).toEqual({ firstSeq: 1, lastSeq: 3, finished: true });
        expect(await host.streamInfo(id, 'other')).toBeUndefined();
      });

      it('replays from the start, then delivers live events in order until the final one', async () => {
        const { id } = await newSession();
        await appendAll(id, 's', ['a', 'b']);

        const events = replay(id, 's', 0);
        expect(await events.first(2)).toEqual([event(1, 'a'), event(2, 'b')]);
        await appendAll(id, 's', ['c', 'd', 'e'], true);

        expect(await events.all()).toEqual([event(1, 'a'), event(2, 'b'), event(3, 'c'), event(4, 'd'), event(5, 'e', true)]);
      });

      it('replays exactly the events after afterSeq, then live ones', async () => {
        const { id } = await newSession();
        await appendAll(id, 's', ['a', 'b', 'c', 'd']);

        const fromTwo = replay(id, 's', 2);
        const fromLast = replay(id, 's', 4);
        expect(await fromTwo.first(2)).toEqual([event(3, 'c'), event(4, 'd')]);
        await host.appendEvent(id, 's', 'e');

        expect(await fromTwo.first(3)).toEqual([event(3, 'c'), event(4, 'd'), event(5, 'e')]);
        expect(await fromLast.first(1)).toEqual([event(5, 'e')]);
      });

      it('replays the rest of a finished stream and completes', async () => {
        const { id } = await newSession();
        await appendAll(id, 's', ['a', 'b', 'c'], true);

        expect(await replay(id, 's', 1).all()).toEqual([event(2, 'b'), event(3, 'c', true)]);
        expect(await replay(id, 's', 3).all()).toEqual([]);
      });

      it('waits on a stream without events for its first event', async () => {
        const { id } = await newSession();
        const events = replay(id, 's', 0);

        await host.appendEvent(id, 's', 'first');

        expect(await events.first(1)).toEqual([event(1, 'first')]);
      });

      it('never shows one session the stream of another with the same stream id', async () => {
        const mine = await newSession();
        const theirs = await newSession();
        await host.appendEvent(theirs.id, 's', 'theirs, replayed');
        const events = replay(mine.id, 's', 0);

        await host.appendEvent(theirs.id, 's', 'theirs, live');
        await host.appendEvent(mine.id, 's', 'mine');

        expect(await events.first(1)).toEqual([event(1, 'mine')]);
      });

      it('completes live streams when the session is deleted', async () => {
        const { id } = await newSession();
        const written = replay(id, 's', 0);
        const empty = replay(id, 'never-written', 0);
        await host.appendEvent(id, 's', 'a');
        await written.first(1);

        await host.deleteSession(id);

        expect(await written.all()).toEqual([event(1, 'a')]);
        expect(await empty.all()).toEqual([]);
        expect(await replay(id, 's', 0).all()).toEqual([]);
      });

      it('refuses a replay that retention cannot serve completely', async () => {
        const { id } = await newSession();
        const total = retained + 3;
        await appendAll(
          id,
          's',
          Array.from({ length: total }, (_, index) => `e${index + 1}`),
        );

        const info = await host.streamInfo(id, 's');
        expect(info).toEqual({ firstSeq: total - retained + 1, lastSeq: total, finished: false });
        const firstSeq = info!.firstSeq;
        for (const afterSeq of [0, 1, firstSeq - 2]) {
          await expect(replay(id, 's', afterSeq).first(1)).rejects.toBeInstanceOf(ReplayUnavailableError);
        }
        const expected = Array.from({ length: retained }, (_, index) => event(firstSeq + index, `e${firstSeq + index}`));
        expect(await replay(id, 's', firstSeq - 1).first(retained)).toEqual(expected);
      });

      it('refuses a replay after events that were never appended', async () => {
        const { id } = await newSession();
        await appendAll(id, 's', ['a', 'b']);

        await expect(replay(id, 's', 3).first(1)).rejects.toBeInstanceOf(ReplayUnavailableError);
        await expect(replay(id, 'never-written', 1).first(1)).rejects.toBeInstanceOf(ReplayUnavailableError);
      });
    });

    describe('stream limit', () => {
      it('keeps at most streamsPerSession streams, dropping the oldest finished one, never an open one', async () => {
        const { id } = await newSession();
        await host.appendEvent(id, 'open', 'o');
        const finished = Array.from({ length: streamsPerSession }, (_, index) => `done-${index}`);
        for (const streamId of finished) await host.appendEvent(id, streamId, 'x', true);

        expect(await host.streamInfo(id, 'done-0')).toBeUndefined();
        for (const streamId of finished.slice(1)) expect(await host.streamInfo(id, streamId)).toBeDefined();
        // An open stream keeps its numbering: a client's Last-Event-ID never points into other events.
        expect(await host.appendEvent(id, 'open', 'still counting')).toBe(2);
      });
    });

    describe('routing', () => {
      // Tagged so that traffic of other runs sharing the same store is ignored.
      let tag: string;
      beforeEach(() => {
        tag = randomUUID();
      });

      const message = (body: Record<string, unknown> = {}): NodeMessage => ({
        type: 'contract',
        tag,
        sessionId: 'session-1',
        payload: { text: 'héllo', list: [1, true, null, { deep: 'yes' }] },
        ...body,
      });

      async function inbox(nodeId: string) {
        const received = new ReplaySubject<NodeMessage>();
        const messages: NodeMessage[] = [];
        let stopped = false;
        let late = 0;
        const stop = await host.subscribe(nodeId, (incoming) => {
          if (incoming['tag'] !== tag) return;
          if (stopped) late++;
          messages.push(incoming);
          received.next(incoming);
        });
        cleanups.push(() => !stopped && stop());
        return {
          messages,
          first: (count: number) => firstValueFrom(received.pipe(take(count), toArray(), within(waitMs, `${count} messages`))),
          stop: async () => {
            await stop();
            stopped = true;
          },
          /** Messages handed to the handler after its stop function resolved. */
          late: () => late,
        };
      }

      it('delivers a message published right after subscribe resolved, as an equal value', async () => {
        const nodeId = randomUUID();
        const node = await inbox(nodeId);
        const sent = message();

        await host.publish(nodeId, sent);

        expect(await node.first(1)).toEqual([sent]);
      });

      it('delivers a published message to its node only', async () => {
        const [nodeA, nodeB] = [randomUUID(), randomUUID()];
        const a = await inbox(nodeA);
        const b = await inbox(nodeB);

        await host.publish(nodeA, message({ n: 1 }));
        expect(await a.first(1)).toEqual([message({ n: 1 })]);
        await host.publish(nodeB, message({ n: 2 }));

        expect(await b.first(1)).toEqual([message({ n: 2 })]);
        expect(a.messages).toEqual([message({ n: 1 })]);
      });

      it('delivers a broadcast to every node', async () => {
        const a = await inbox(randomUUID());
        const b = await inbox(randomUUID());

        await host.broadcast(message({ control: 'list-changed' }));

        expect(await a.first(1)).toEqual([message({ control: 'list-changed' })]);
        expect(await b.first(1)).toEqual([message({ control: 'list-changed' })]);
      });

      it('delivers nothing to a handler once its stop function resolved', async () => {
        const nodeId = randomUUID();
        const stopping = await inbox(nodeId);
        const staying = await inbox(nodeId);

        void host.publish(nodeId, message({ n: 1 }));
        await stopping.stop();
        await host.publish(nodeId, message({ n: 2 }));
        await host.broadcast(message({ n: 3 }));

        // The subscriber that stays proves the messages were delivered (in no particular order).
        expect(await staying.first(3)).toEqual(expect.arrayContaining([message({ n: 1 }), message({ n: 2 }), message({ n: 3 })]));
        expect(stopping.late()).toBe(0);
      });
    });

    describe('values', () => {
      it('stores, overwrites and deletes values', async () => {
        const { id } = await newSession();
        expect(await host.getValue(id, 'k')).toBeUndefined();

        await host.putValue(id, 'k', 'one');
        expect(await host.getValue(id, 'k')).toBe('one');
        await host.putValue(id, 'k', 'two');
        expect(await host.getValue(id, 'k')).toBe('two');
        await host.deleteValue(id, 'k');
        expect(await host.getValue(id, 'k')).toBeUndefined();
        await expect(host.deleteValue(id, 'k')).resolves.toBeUndefined();
      });

      it('keeps an empty string apart from an absent value', async () => {
        const { id } = await newSession();

        await host.putValue(id, 'empty', '');

        expect(await host.getValue(id, 'empty')).toBe('');
        expect(await host.getValue(id, 'absent')).toBeUndefined();
      });

      it('keeps the values of each session apart', async () => {
        const a = await newSession();
        const b = await newSession();

        await host.putValue(a.id, 'k', 'of a');

        expect(await host.getValue(b.id, 'k')).toBeUndefined();
        await host.putValue(b.id, 'k', 'of b');
        expect(await host.getValue(a.id, 'k')).toBe('of a');
      });

      it('refuses a value larger than the limit in UTF-8 bytes, and keeps the previous one', async () => {
        const { id } = await newSession();
        const largest = 'x'.repeat(valueLimitBytes);
        await host.putValue(id, 'k', largest);

        await expect(host.putValue(id, 'k', `${largest}x`)).rejects.toBeInstanceOf(SessionValueLimitError);
        // Fewer characters than the limit, more bytes: '€' is 3 bytes in UTF-8.
        const wide = '€'.repeat(Math.floor(valueLimitBytes / 3) + 1);
        await expect(host.putValue(id, 'k', wide)).rejects.toBeInstanceOf(SessionValueLimitError);
        expect(await host.getValue(id, 'k')).toBe(largest);
      });

      it('refuses more than valuesPerSession values, but not overwrites', async () => {
        const { id } = await newSession();
        for (let index = 0; index < valuesPerSession; index++) await host.putValue(id, `k${index}`, String(index));

        await expect(host.putValue(id, 'one-too-many', 'x')).rejects.toBeInstanceOf(SessionValueLimitError);
        await host.putValue(id, 'k0', 'again');
        await host.deleteValue(id, 'k1');
        await host.putValue(id, 'now-fits', 'y');

        expect(await host.getValue(id, 'k0')).toBe('again');
        expect(await host.getValue(id, 'now-fits')).toBe('y');
        expect(await host.getValue(id, 'one-too-many')).toBeUndefined();
      });

      it('stores nothing for a session that is gone', async () => {
        const { id } = await newSession();
        await host.deleteSession(id);

        await host.putValue(id, 'k', 'v').catch(() => undefined);

        expect(await host.getValue(id, 'k')).toBeUndefined();
      });
    });

    describe('listening sessions', () => {
      const listed = async (...ids: string[]) => (await host.listeningSessions(300)).filter((id) => ids.includes(id)).sort();

      it('lists held sessions while their node has a lease, and released ones for their linger', async () => {
        const node = `node-${randomUUID()}`;
        await host.renewLease(node, 60_000);
        const [a, b, c] = [await newSession(), await newSession(), await newSession()];
        await host.holdListening(node, [a.id, b.id, c.id]);
        await host.holdListening(node, []);
        await host.releaseListening(node, [b.id], 300);
        expect(await listed(a.id, b.id, c.id)).toEqual([a.id, b.id, c.id].sort());
        await sleep(600);
        expect(await listed(a.id, b.id, c.id)).toEqual([a.id, c.id].sort());
        await host.holdListening(node, [b.id]);
        expect(await listed(b.id)).toEqual([b.id]);
      });

      it('keeps a session listed through the node that holds it now when an older node releases it', async () => {
        const [older, newer] = [`node-${randomUUID()}`, `node-${randomUUID()}`];
        await host.renewLease(older, 60_000);
        await host.renewLease(newer, 60_000);
        const { id } = await newSession();
        await host.holdListening(older, [id]);
        await host.holdListening(newer, [id]);
        await host.releaseListening(older, [id], 100);
        await sleep(400);
        expect(await listed(id)).toEqual([id]);
      });

      it('lets the sessions of a node whose lease lapsed linger, then drops them', async () => {
        const node = `node-${randomUUID()}`;
        await host.renewLease(node, 200);
        const { id } = await newSession();
        await host.holdListening(node, [id]);
        expect(await listed(id)).toEqual([id]);
        await sleep(350);
        expect(await listed(id)).toEqual([id]);
        await sleep(600);
        expect(await listed(id)).toEqual([]);
      });
    });

    describe('stream owners and node leases', () => {
      const nodeId = () => `node-${randomUUID()}`;
      const owner = (node: string, payload = 'orphaned') => ({ nodeId: node, orphanPayload: payload });

      it('refuses every append after the final event with -1, so a stream ends once', async () => {
        const { id } = await newSession();
        expect(await host.appendEvent(id, 's', 'a')).toBe(1);
        expect(await host.appendEvent(id, 's', 'end', true)).toBe(2);
        expect(await host.appendEvent(id, 's', 'late')).toBe(-1);
        expect(await host.appendEvent(id, 's', 'another end', true)).toBe(-1);
        expect(await replay(id, 's', 0).all()).toEqual([event(1, 'a'), event(2, 'end', true)]);
      });

      it('records the owner of an unfinished stream with its first append, and drops it when the stream ends', async () => {
        const { id } = await newSession();
        const node = nodeId();
        await host.appendEvent(id, 's', 'a', false, owner(node));
        await host.appendEvent(id, 's', 'b', false, owner('someone-else'));
        expect(await host.streamInfo(id, 's')).toEqual({ firstSeq: 1, lastSeq: 2, finished: false, owner: node });
        await host.appendEvent(id, 's', 'done', true);
        expect(await host.streamInfo(id, 's')).toEqual({ firstSeq: 1, lastSeq: 3, finished: true });
        await host.appendEvent(id, 'unowned', 'x');
        expect(await host.streamInfo(id, 'unowned')).toEqual({ firstSeq: 1, lastSeq: 1, finished: false });
      });

      it('holds a lease until it expires or is dropped', async () => {
        const node = nodeId();
        expect(await host.hasLease(node)).toBe(false);
        await host.renewLease(node, 400);
        expect(await host.hasLease(node)).toBe(true);
        await sleep(700);
        expect(await host.hasLease(node)).toBe(false);
        await host.renewLease(node, 60_000);
        await host.dropLease(node);
        expect(await host.hasLease(node)).toBe(false);
      });

      it('ends the streams of a node without a lease with their orphan payload, once, and leaves live owners alone', async () => {
        const { id } = await newSession();
        const dead = nodeId();
        const alive = nodeId();
        await host.renewLease(dead, 60_000);
        await host.renewLease(alive, 60_000);
        await host.appendEvent(id, 'dead-1', 'progress', false, owner(dead, 'error 1'));
        await host.appendEvent(id, 'dead-2', 'progress', false, owner(dead, 'error 2'));
        await host.appendEvent(id, 'alive', 'progress', false, owner(alive, 'never'));
        const reader = replay(id, 'dead-1', 1);

        await host.dropLease(dead);
        const ended = await Promise.all([host.finishOrphanedStreams(), host.finishOrphanedStreams(), host.finishOrphanedStreams()]);

        expect(ended.reduce((sum, count) => sum + count, 0)).toBe(2);
        expect(await reader.all()).toEqual([event(2, 'error 1', true)]);
        expect(await replay(id, 'dead-2', 0).all()).toEqual([event(1, 'progress'), event(2, 'error 2', true)]);
        expect(await host.streamInfo(id, 'alive')).toEqual({ firstSeq: 1, lastSeq: 1, finished: false, owner: alive });
        // The presumed-dead owner cannot end the stream a second time.
        expect(await host.appendEvent(id, 'dead-1', 'late result', true)).toBe(-1);
        expect(await host.finishOrphanedStreams()).toBe(0);
        await host.dropLease(alive);
      });

      it('ends the streams of a node whose lease expired, at the first sweep after', async () => {
        const { id } = await newSession();
        const node = nodeId();
        await host.renewLease(node, 300);
        await host.appendEvent(id, 's', 'a', false, owner(node, 'gone'));
        expect(await host.finishOrphanedStreams()).toBe(0);
        await sleep(600);
        expect(await host.finishOrphanedStreams()).toBe(1);
        expect(await host.streamInfo(id, 's')).toEqual({ firstSeq: 1, lastSeq: 2, finished: true });
      });
    });

    describe('single-use claims', () => {
      it('grants a key once until it expires, then again', async () => {
        const key = `claim-${randomUUID()}`;

        expect(await host.claimOnce(key, 300)).toBe(true);
        expect(await host.claimOnce(key, 300)).toBe(false);
        await sleep(600);
        expect(await host.claimOnce(key, 60_000)).toBe(true);
      });

      it('grants exactly one of concurrent claims of a key, and keeps keys apart', async () => {
        const key = `claim-${randomUUID()}`;

        const results = await Promise.all(Array.from({ length: 10 }, () => host.claimOnce(key, 60_000)));

        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await host.claimOnce(`${key}-other`, 60_000)).toBe(true);
      });
    });

    describe('tasks', () => {
      const owner = () => `owner-${randomUUID()}`;
      const newTask = (overrides: Partial<StoredTask> = {}): StoredTask => ({
        id: randomUUID(),
        owner: 'owner:contract',
        createdAt: Date.now(),
        expiresAt: Date.now() + 60_000,
        state: JSON.stringify({ status: 'working', nested: { list: [1, 'two', null] } }),
        ...overrides,
      });

      it('stores a task and reads it back as stored', async () => {
        const task = newTask({ runner: 'node-a' });
        await host.createTask(task, 10);
        expect(await host.getTask(task.id)).toEqual(task);
        expect(await host.getTask(randomUUID())).toBeUndefined();
      });

      it('updates atomically: concurrent updates all apply, and id, owner and creation time stay', async () => {
        const task = newTask({ state: '0' });
        await host.createTask(task, 10);
        await Promise.all(
          Array.from({ length: 5 }, () =>
            host.updateTask(task.id, (current) => ({ ...current, owner: 'someone else', state: String(Number(current.state) + 1) })),
          ),
        );
        expect(await host.getTask(task.id)).toEqual({ ...task, state: '5' });
        expect(await host.updateTask(randomUUID(), (current) => current)).toBeUndefined();
      });

      it('forgets a task when it expires', async () => {
        const task = newTask({ expiresAt: Date.now() + 300 });
        await host.createTask(task, 10);
        await sleep(600);
        expect(await host.getTask(task.id)).toBeUndefined();
        expect((await host.listTasks(task.owner, { limit: 10 })).tasks.map(({ id }) => id)).not.toContain(task.id);
      });

      it("lists an owner's tasks oldest first, page by page, and nobody else's", async () => {
        const mine = owner();
        const created = Array.from({ length: 5 }, (_, index) => newTask({ owner: mine, createdAt: 1_000 + index }));
        for (const task of [...created].reverse()) await host.createTask(task, 10);
        await host.createTask(newTask({ owner: owner() }), 10);

        const first = await host.listTasks(mine, { limit: 2 });
        const second = await host.listTasks(mine, { after: first.next, limit: 2 });
        const last = await host.listTasks(mine, { after: second.next, limit: 2 });
        expect([first, second, last].map((page) => page.tasks.map(({ id }) => id))).toEqual([
          created.slice(0, 2).map(({ id }) => id),
          created.slice(2, 4).map(({ id }) => id),
          [created[4].id],
        ]);
        expect(first.next).toBeDefined();
        expect(last.next).toBeUndefined();
      });

      it('refuses a task beyond the most per owner with TaskLimitError, and counts only unexpired ones', async () => {
        const mine = owner();
        await host.createTask(newTask({ owner: mine, expiresAt: Date.now() + 300 }), 2);
        await host.createTask(newTask({ owner: mine }), 2);
        await expect(host.createTask(newTask({ owner: mine }), 2)).rejects.toBeInstanceOf(TaskLimitError);
        await host.createTask(newTask({ owner: owner() }), 2);
        await sleep(600);
        await host.createTask(newTask({ owner: mine }), 2);
      });

      it('names the running tasks of nodes without a lease, and only while they run there', async () => {
        const dead = `node-${randomUUID()}`;
        const alive = `node-${randomUUID()}`;
        await host.renewLease(dead, 300);
        await host.renewLease(alive, 60_000);
        const orphan = newTask({ runner: dead });
        const finished = newTask({ runner: dead });
        const running = newTask({ runner: alive });
        for (const task of [orphan, finished, running]) await host.createTask(task, 10);
        await host.updateTask(finished.id, ({ runner: _runner, ...rest }) => rest);
        expect((await host.orphanedTasks()).map(({ id }) => id)).not.toContain(orphan.id);

        await sleep(600);
        const orphans = await host.orphanedTasks();
        expect(orphans.map(({ id }) => id)).toContain(orphan.id);
        expect(orphans.map(({ id }) => id)).not.toContain(finished.id);
        expect(orphans.map(({ id }) => id)).not.toContain(running.id);
        await host.updateTask(orphan.id, ({ runner: _runner, ...rest }) => ({ ...rest, state: 'failed' }));
        expect((await host.orphanedTasks()).map(({ id }) => id)).not.toContain(orphan.id);
      });
    });

    describe('deleteSession', () => {
      it('removes metadata, logs and values, so a new session with the same id starts empty', async () => {
        const { id } = await newSession();
        await appendAll(id, 's', ['a', 'b']);
        await host.putValue(id, 'k', 'v');

        await host.deleteSession(id);

        expect(await host.getSession(id)).toBeUndefined();
        expect(await host.streamInfo(id, 's')).toBeUndefined();
        expect(await host.getValue(id, 'k')).toBeUndefined();
        expect(await host.appendEvent(id, 's', 'after delete')).toBe(0);

        await newSession({ id });
        expect(await host.streamInfo(id, 's')).toBeUndefined();
        expect(await host.getValue(id, 'k')).toBeUndefined();
        expect(await host.appendEvent(id, 's', 'fresh')).toBe(1);
      });
    });
  });
}
