import type { ServerResponse } from 'node:http';

export interface SseWriterOptions {
  /** Interval of keepalive comments; 0 disables them. */
  keepaliveMs: number;
  /** Unsent bytes past which the writer reports itself {@link SseWriter.backedUp}. */
  highWaterBytes: number;
}

/**
 * Writes one `text/event-stream` response (HTML Living Standard, "Server-sent events"): events
 * carry `event: message`, an optional `id` and one `data` line (serialized JSON has no newlines).
 */
export class SseWriter {
  private keepalive: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: SseWriterOptions,
  ) {
    this.onClose(() => this.dispose());
  }

  /**
   * True while the client reads slower than events arrive and more than the high-water mark is
   * waiting in memory. Callers stop producing (GET streams re-read the log after `drain`) or drop
   * the connection (the client resumes with Last-Event-ID), so memory stays bounded.
   */
  get backedUp(): boolean {
    return this.response.writableLength > this.options.highWaterBytes;
  }

  /** Calls `listener` once the buffered bytes were handed to the socket. */
  onDrain(listener: () => void): () => void {
    this.response.once('drain', listener);
    return () => this.response.off('drain', listener);
  }

  /** True once the response ended or the client went away. */
  get closed(): boolean {
    return this.ended || this.response.destroyed;
  }

  /** Calls `listener` once the response closed, also when it closed before this call (the client left early). */
  onClose(listener: () => void): void {
    if (this.response.closed) queueMicrotask(listener);
    else this.response.once('close', listener);
  }

  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...headers,
    });
    this.response.flushHeaders();
    if (this.options.keepaliveMs > 0) {
      this.keepalive = setInterval(() => this.write(': keepalive\n\n'), this.options.keepaliveMs);
      this.keepalive.unref();
    }
  }

  /**
   * The priming event: an id and empty data, plus the reconnection delay, so the client can resume
   * even before the first message (MCP 2025-11-25 `basic/transports`, SEP-1699).
   */
  prime(eventId: string, retryMs: number): void {
    this.write(`id: ${eventId}\nretry: ${retryMs}\ndata: \n\n`);
  }

  /** Tells the client how long to wait before it reconnects (sent before ending a stream at shutdown). */
  retryHint(retryMs: number): void {
    this.write(`retry: ${retryMs}\n\n`);
  }

  event(data: string, eventId?: string): void {
    this.write(eventId === undefined ? `event: message\ndata: ${data}\n\n` : `event: message\nid: ${eventId}\ndata: ${data}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.dispose();
    this.response.end();
  }

  private write(chunk: string): void {
    if (!this.closed) this.response.write(chunk);
  }

  private dispose(): void {
    clearInterval(this.keepalive);
    this.keepalive = undefined;
  }
}
