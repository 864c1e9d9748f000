import type { RequestChannel } from '../dispatch/mcp-context.js';
import type { JsonRpcId, JsonRpcRequest, JsonRpcResponse } from './json-rpc.js';
import type { RequestCancellation } from './request-cancellation.js';

/** The answer to one request while it runs: its notifications, then its response. */
export interface ResponseStream extends RequestChannel {
  /**
   * Aborted when the client goes away before the response. For a 2026-07-28 request that is its
   * cancellation (2026-07-28 `basic/patterns/cancellation`). A 2025 stream has none: it stays
   * resumable instead.
   */
  readonly clientGone?: RequestCancellation;
  /** Opens the stream before the handler runs, where the response mode asks for it. */
  start(): Promise<void>;
  /** Sends the response and ends the answer. */
  finish(response: JsonRpcResponse): Promise<void>;
  /** Ends the answer without a response (the request was cancelled). */
  abandon(): Promise<void>;
}

export interface ResponseStreamOptions {
  /** The request answered. */
  requestId: JsonRpcId;
  /** The 2025 session the answer belongs to: its events are logged, so the client can resume it. */
  session?: { id: string; protocolVersion: string };
  /** Extra headers of the answer (`Mcp-Session-Id` of a new session). */
  headers?: Record<string, string>;
  /** An SSE stream whatever the response mode (long-lived answers such as `subscriptions/listen`). */
  alwaysStream?: boolean;
}

/**
 * Where a caller's trace context travels outside the message (W3C `traceparent`, `tracestate`,
 * `baggage`): the HTTP request's headers, as the transport read them.
 */
export type TraceCarrier = Readonly<Record<string, string | string[] | undefined>>;

/**
 * How the protocol layer answers one POSTed message. The transport implements it for HTTP; the
 * protocol layer decides what to answer, the transport how it travels.
 */
export interface PostReply {
  /** The message was a notification or a client's response, and it was taken (HTTP 202). */
  accepted(): void;
  /** One JSON value answers the message (the responses of a batch). */
  json(body: unknown): void;
  /** Opens the answer to one request. */
  stream(options: ResponseStreamOptions): ResponseStream;
  /** Refuses a request the caller lacks scopes for (HTTP 403 with a step-up challenge); returns when allowed. */
  authorize(request: JsonRpcRequest): void;
  /** The trace context carrier of the message's request, for the requests it runs. */
  readonly traceCarrier: TraceCarrier;
}
