import type { Logger } from '@nestjs/common';
import { takeWhile, type Subscription } from 'rxjs';
import { formatEventId } from '../session/event-id.js';
import type { SessionHost } from '../session/session-host.interface.js';
import type { SseWriter } from './sse.writer.js';

/**
 * Copies a stream's log to an SSE connection, from the event after `afterSeq` on and then live.
 * When the client reads slower than events arrive, reading pauses until the socket drains and
 * resumes from the last event written: the log is the buffer, so a slow client costs no memory
 * (docs/architecture.md: a slow client never grows memory without bound). The connection ends with the stream.
 * Returns a function that stops the copy.
 */
export function pumpLog(
  host: SessionHost,
  sessionId: string,
  streamId: string,
  afterSeq: number,
  writer: SseWriter,
  logger: Logger,
): () => void {
  let lastSeq = afterSeq;
  let subscription: Subscription | undefined;
  let cancelDrain: (() => void) | undefined;
  const read = () => {
    let paused = false;
    subscription = host
      .streamEvents(sessionId, streamId, lastSeq)
      .pipe(takeWhile(() => !paused))
      .subscribe({
        next: (event) => {
          lastSeq = event.seq;
          if (event.payload) writer.event(event.payload, formatEventId(streamId, event.seq));
          if (writer.backedUp) {
            paused = true;
            cancelDrain = writer.onDrain(read);
          }
        },
        error: (error: unknown) => {
          logger.warn(`Stream ${streamId} of session ${sessionId} failed: ${String(error)}`);
          writer.end();
        },
        complete: () => {
          if (!paused) writer.end();
        },
      });
  };
  read();
  return () => {
    cancelDrain?.();
    subscription?.unsubscribe();
  };
}
