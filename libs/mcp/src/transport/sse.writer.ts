import type { ServerResponse } from 'node:http';

export interface SseWriterOptions {
  /** Interval of keepalive comments; 0 disables them. */
  keepaliveMs: number;
  /** Unsent bytes past which the connection is dropped (the client resumes with Last-Event-ID). */
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
    response.once('close', () => this.dispose());
  }

  /** True once the response ended or the client went away. */
  get closed(): boolean {
    return this.ended || this.response.destroyed;
  }

  onClose(listener: () => void): void {
    this.response.once('close', listener);
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

  event(data: string, eventId?: string): void {
    this.write(eventId === undefined ? `event: message\ndata: ${data}\n\n` : `event: message\nid: ${eventId}\ndata: ${data}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.dispose();
    this.response.end();
  }

  /** Drops the connection without ending the stream: the client reconnects and resumes. */
  abort(): void {
    this.dispose();
    this.response.destroy();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.response.write(chunk);
    if (this.response.writableLength > this.options.highWaterBytes) this.abort();
  }

  private dispose(): void {
    clearInterval(this.keepalive);
    this.keepalive = undefined;
  }
}
