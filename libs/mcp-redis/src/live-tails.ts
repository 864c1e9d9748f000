import { ReplayUnavailableError, type SessionEvent } from '@nest-mcp/mcp';
import { Observable, type Subscriber } from 'rxjs';
import { toHostError } from './redis-errors.js';
import type { ChannelLease, RedisPubSub } from './redis-pubsub.js';

/** What one read of a stream's log found. */
export type LogRead =
  /** `expiresInMs`: until the session expires unless touched (negative: no expiry). */
  | { kind: 'events'; events: SessionEvent[]; expiresInMs: number }
  /** The session no longer exists. */
  | { kind: 'gone' }
  /** Events after the position were dropped by retention, or the position lies beyond the log. */
  | { kind: 'gap' }
  /** The stream ended and every event was read. */
  | { kind: 'done' };

/** Where live tails read from. */
export interface LogSource {
  read(sessionId: string, streamId: string, afterSeq: number, count: number): Promise<LogRead>;
  /** Channel on which appends to the session's streams and the session's end are announced. */
  wakeChannel(sessionId: string): string;
}

export interface LiveTailsOptions {
  batchSize: number;
  /** Re-read every open stream this often even without a wake-up; 0: never. */
  pollIntervalMs: number;
}

/** How long after a session's expiry its streams check that it is gone (Redis expires keys lazily and by sampling). */
const EXPIRY_CHECK_DELAY_MS = 100;

interface Tail {
  sessionId: string;
  streamId: string;
  /** The stream id as it appears in wake-ups. */
  member: string;
  lastSeq: number;
  subscriber: Subscriber<SessionEvent>;
  lease: ChannelLease;
  reading: boolean;
  /** A wake-up arrived during a read: read once more afterwards. */
  again: boolean;
  closed: boolean;
  /** Reads again when the session would expire, to end the stream if it did. */
  expiryCheck: NodeJS.Timeout | undefined;
}

/**
 * Live reads of session streams without a blocking Redis read per stream: each open stream holds
 * its session's wake channel on the node's one subscriber connection and reads the log (`XRANGE`
 * from the last event it delivered) when a wake-up says there is more. The log, not the wake-up,
 * is what gets delivered, so a duplicated wake-up never repeats an event. Idle streams cost Redis
 * nothing: a stream reads again only when its session would expire (learnt from each read), which
 * ends it if the session did expire. Wake-ups are lost only with the subscriber connection, and
 * then every tail ends so its client resumes; `pollIntervalMs` adds a periodic re-read as a
 * further safety net.
 */
export class LiveTails {
  private readonly sessions = new Map<string, Set<Tail>>();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pubsub: RedisPubSub,
    private readonly source: LogSource,
    private readonly options: LiveTailsOptions,
  ) {}

  /** Open tails (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const tails of this.sessions.values()) count += tails.size;
    return count;
  }

  open(sessionId: string, streamId: string, afterSeq: number): Observable<SessionEvent> {
    return new Observable<SessionEvent>((subscriber) => {
      const tail: Tail = {
        sessionId,
        streamId,
        member: encodeURIComponent(streamId),
        lastSeq: afterSeq,
        subscriber,
        lease: this.pubsub.acquire(this.source.wakeChannel(sessionId)),
        reading: false,
        again: false,
        closed: false,
        expiryCheck: undefined,
      };
      let tails = this.sessions.get(sessionId);
      if (!tails) this.sessions.set(sessionId, (tails = new Set()));
      tails.add(tail);
      this.startPolling();
      // Subscribed before the first read, so an append between the two is never missed.
      tail.lease.subscribed.then(
        () => this.read(tail),
        (error: unknown) => tail.subscriber.error(toHostError(error)),
      );
      return () => this.remove(tail);
    });
  }

  /** A message on a session's wake channel: `<stream> <seq>` after an append, empty when the session ended. */
  wake(sessionId: string, message: string): void {
    const tails = this.sessions.get(sessionId);
    if (!tails) return;
    if (message === '') {
      for (const tail of [...tails]) tail.subscriber.complete();
      return;
    }
    const space = message.lastIndexOf(' ');
    const member = message.slice(0, space);
    const seq = Number(message.slice(space + 1));
    for (const tail of tails) {
      if (tail.member === member && tail.lastSeq < seq) void this.read(tail);
    }
  }

  /** Ends every tail with `error` (the subscriber connection was lost: clients resume elsewhere). */
  failAll(error: Error): void {
    for (const tails of [...this.sessions.values()]) {
      for (const tail of [...tails]) tail.subscriber.error(error);
    }
  }

  completeAll(): void {
    for (const tails of [...this.sessions.values()]) {
      for (const tail of [...tails]) tail.subscriber.complete();
    }
  }

  private async read(tail: Tail): Promise<void> {
    if (tail.closed) return;
    if (tail.reading) {
      tail.again = true;
      return;
    }
    tail.reading = true;
    try {
      let more = true;
      while (more && !tail.closed) {
        tail.again = false;
        const found = await this.source.read(tail.sessionId, tail.streamId, tail.lastSeq, this.options.batchSize);
        more = this.deliver(tail, found) || tail.again;
      }
    } catch (error) {
      tail.subscriber.error(toHostError(error));
    } finally {
      tail.reading = false;
    }
  }

  /** Hands what a read found to the tail; true when a full batch suggests there is more to read. */
  private deliver(tail: Tail, found: LogRead): boolean {
    switch (found.kind) {
      case 'gone':
      case 'done':
        tail.subscriber.complete();
        return false;
      case 'gap':
        tail.subscriber.error(new ReplayUnavailableError(tail.streamId, tail.lastSeq));
        return false;
      case 'events':
        this.checkAtExpiry(tail, found.expiresInMs);
        for (const event of found.events) {
          if (tail.closed) return false;
          tail.lastSeq = event.seq;
          tail.subscriber.next(event);
          if (event.final) {
            tail.subscriber.complete();
            return false;
          }
        }
        return found.events.length >= this.options.batchSize;
    }
  }

  private checkAtExpiry(tail: Tail, expiresInMs: number): void {
    clearTimeout(tail.expiryCheck);
    if (expiresInMs < 0) return;
    tail.expiryCheck = setTimeout(() => void this.read(tail), expiresInMs + EXPIRY_CHECK_DELAY_MS);
    tail.expiryCheck.unref();
  }

  private remove(tail: Tail): void {
    if (tail.closed) return;
    tail.closed = true;
    clearTimeout(tail.expiryCheck);
    tail.lease.release();
    const tails = this.sessions.get(tail.sessionId);
    tails?.delete(tail);
    if (tails?.size === 0) this.sessions.delete(tail.sessionId);
    if (this.sessions.size === 0) this.stopPolling();
  }

  private startPolling(): void {
    if (this.pollTimer || this.options.pollIntervalMs <= 0) return;
    this.pollTimer = setInterval(() => {
      for (const tails of this.sessions.values()) for (const tail of tails) void this.read(tail);
    }, this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
