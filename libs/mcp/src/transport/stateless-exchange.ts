import type { ServerResponse } from 'node:http';
import type { McpResponseMode } from '../mcp.options.js';
import type { JsonRpcResponse, OutboundMessage } from '../protocol/json-rpc.js';
import type { ResponseStream } from '../protocol/post-reply.js';
import { RequestCancellation } from '../protocol/request-cancellation.js';
import { responseStatus } from './http-rules.js';
import { sendJson } from './node-http.js';
import { SseWriter, type SseWriterOptions } from './sse.writer.js';

export interface StatelessExchangeOptions extends SseWriterOptions {
  mode: McpResponseMode;
  /** Told about the SSE stream when the exchange opens one (so shutdown can end it). */
  track(writer: SseWriter): void;
}

/**
 * The answer to one 2026-07-28 request (MCP 2026-07-28 `basic/transports/streamable-http`): JSON,
 * or an SSE stream once the handler sends a notification before its result (`auto`), or always
 * SSE (`sse`). Nothing is logged and nothing is resumable: a client that closes the connection
 * before the response cancels the request, and nothing more is written. In `json` mode
 * notifications have nowhere to go and are dropped.
 */
export class StatelessExchange implements ResponseStream {
  readonly clientGone = new RequestCancellation();
  private sse: SseWriter | undefined;
  private done = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: StatelessExchangeOptions,
  ) {
    response.once('close', () => {
      if (!this.done) this.clientGone.abort(new Error('The client closed the response stream.'));
    });
  }

  async start(): Promise<void> {
    if (this.options.mode === 'sse') this.openSse();
  }

  async send(message: OutboundMessage): Promise<void> {
    if (this.done || this.clientGone.aborted || this.options.mode === 'json') return;
    const sse = this.openSse();
    sse.event(JSON.stringify({ jsonrpc: '2.0', ...message }));
    // A stream cannot be resumed, so a client this far behind loses the request rather than
    // growing the server's memory: it must send the request again.
    if (sse.backedUp) this.response.destroy();
  }

  async finish(response: JsonRpcResponse): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.response.destroyed) return;
    const payload = JSON.stringify(response);
    if (!this.sse) {
      sendJson(this.response, responseStatus(response), payload);
      return;
    }
    this.sse.event(payload);
    this.sse.end();
  }

  async abandon(): Promise<void> {
    if (this.done) return;
    this.done = true;
    // The client is gone, or the server is stopping: end the connection without a response.
    if (this.sse) this.sse.end();
    else if (!this.response.destroyed) this.response.destroy();
  }

  private openSse(): SseWriter {
    if (!this.sse) {
      this.sse = new SseWriter(this.response, this.options);
      this.sse.open({});
      this.options.track(this.sse);
    }
    return this.sse;
  }
}
