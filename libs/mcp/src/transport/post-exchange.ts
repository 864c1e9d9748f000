import type { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { McpResponseMode } from '../mcp.options.js';
import type { JsonRpcResponse, OutboundMessage } from '../protocol/json-rpc.js';
import type { ResponseStream } from '../protocol/post-reply.js';
import { isAtLeast } from '../protocol/protocol-version.js';
import { createStreamId, formatEventId } from '../session/event-id.js';
import type { McpSessionEvents } from '../session/mcp-session-events.service.js';
import type { SessionHost, StreamOwner } from '../session/session-host.interface.js';
import { pumpLog } from './log-pump.js';
import { SseWriter, type SseWriterOptions } from './sse.writer.js';
import { sendJson } from './node-http.js';

export interface PostExchangeOptions extends SseWriterOptions {
  mode: McpResponseMode;
  retryMs: number;
  sessionId: string;
  protocolVersion: string;
  host: SessionHost;
  /**
   * Recorded with the stream, so another instance ends it if this one dies first; asked for at the
   * stream's first append (most requests never write one).
   */
  owner: () => StreamOwner;
  events: McpSessionEvents;
  logger: Logger;
  /** Told about each SSE stream the exchange opens (so shutdown can end it). */
  track(writer: SseWriter): void;
}

/**
 * The answer to one POSTed request of a 2025 session. It starts as a plain JSON response; the first message sent before the result turns it into an SSE stream whose
 * events are also appended to the session log, so a client that loses the connection resumes with
 * GET + `Last-Event-ID`. A dropped connection is not a cancellation (MCP 2025-11-25): the handler
 * runs on and its output stays in the log. Events are written straight to the socket until the
 * client falls behind; from then on the connection is fed from the log at the client's pace.
 */
export class PostExchange implements ResponseStream {
  private sse: SseWriter | undefined;
  private streamId: string | undefined;
  /** Set once events stop being written directly: the client fell behind, or the connection was closed for polling. */
  private pumping = false;
  /** Whether the stream exists in the log (its first append records the owner). */
  private logged = false;
  /** Set when another instance ended the stream (this one's lease lapsed): nothing more is written. */
  private endedElsewhere = false;
  // Appends and writes run one after another so event ids and write order always agree.
  private queue: Promise<void> = Promise.resolve();

  private get primed(): boolean {
    return isAtLeast(this.options.protocolVersion, '2025-11-25');
  }

  constructor(
    private readonly response: ServerResponse,
    private readonly headers: Record<string, string>,
    private readonly options: PostExchangeOptions,
  ) {}

  /** Opens the SSE stream right away (`sse` mode) so the client gets the priming event at once. */
  start(): Promise<void> {
    return this.options.mode === 'sse' ? this.enqueue(() => this.openSse()) : Promise.resolve();
  }

  send(message: OutboundMessage): Promise<void> {
    if (this.options.mode === 'json') {
      // JSON responses carry one message; related ones go to the standalone stream instead.
      return this.options.events.sendStandalone(this.options.sessionId, message).then(() => undefined);
    }
    return this.enqueue(async () => {
      await this.openSse();
      await this.emit(JSON.stringify({ jsonrpc: '2.0', ...message }), false);
    });
  }

  /** Sends the response and ends the exchange. */
  finish(response: JsonRpcResponse): Promise<void> {
    return this.enqueue(async () => {
      const payload = JSON.stringify(response);
      if (!this.sse && this.options.mode !== 'sse') {
        if (this.response.destroyed) return;
        sendJson(this.response, 200, payload, this.headers);
        return;
      }
      await this.openSse();
      await this.emit(payload, true);
      this.close();
    });
  }

  /**
   * Opens the SSE stream if needed, then ends the connection but not the stream: later events only
   * go to the log, where the client's GET with Last-Event-ID finds them.
   */
  disconnect(): Promise<void> {
    // Only a primed stream can be resumed by a client that has not received an event yet.
    if (this.options.mode === 'json' || !this.primed) return Promise.resolve();
    return this.enqueue(async () => {
      await this.openSse();
      this.pumping = true;
      this.sse!.end();
    });
  }

  /** Ends the exchange without a response (the request was cancelled: MCP `basic/utilities/cancellation`). */
  abandon(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.sse) {
        if (!this.response.destroyed) this.response.writeHead(202, this.headers).end();
        return;
      }
      // An empty final event ends the stream in the log, so a resuming client is not left waiting.
      await this.append('', true);
      this.close();
    });
  }

  private async openSse(): Promise<void> {
    if (this.sse) return;
    this.streamId = createStreamId();
    this.sse = new SseWriter(this.response, this.options);
    this.sse.open(this.headers);
    this.options.track(this.sse);
    // Clients before 2025-11-25 may choke on an event with empty data, so only newer ones are primed.
    if (this.primed) {
      this.sse.prime(formatEventId(this.streamId, 0), this.options.retryMs);
      // The client can resume from the priming event on, so the stream exists (with its owner) from
      // now on: an empty event, which is never written to clients.
      await this.append('', false);
    }
  }

  /** Appends to the stream's log; the first append records this instance as the stream's owner. */
  private async append(payload: string, final: boolean): Promise<number> {
    const owner = this.logged ? undefined : this.options.owner();
    this.logged = true;
    const seq = await this.options.host.appendEvent(this.options.sessionId, this.streamId!, payload, final, owner);
    if (seq === -1 && !this.endedElsewhere) {
      // Another instance ended the stream with an error: the client reads it from the log when it resumes.
      this.endedElsewhere = true;
      this.options.logger.warn(`Stream ${this.streamId} was ended by another instance (this one's lease lapsed); its result is dropped.`);
      this.sse?.end();
    }
    return seq;
  }

  private async emit(payload: string, final: boolean): Promise<void> {
    const seq = await this.append(payload, final);
    if (this.pumping || this.endedElsewhere) return;
    const sse = this.sse!;
    sse.event(payload, seq > 0 ? formatEventId(this.streamId!, seq) : undefined);
    if (sse.backedUp && !final && seq > 0) {
      this.pumping = true;
      const { host, sessionId, logger } = this.options;
      sse.onDrain(() => {
        if (sse.closed) return;
        const stop = pumpLog(host, sessionId, this.streamId!, seq, sse, logger);
        sse.onClose(stop);
      });
    }
  }

  /** Ends the connection after the final event, unless the log pump is delivering it. */
  private close(): void {
    if (!this.pumping) this.sse?.end();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
