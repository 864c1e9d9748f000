import { IncomingMessage, ServerResponse } from 'node:http';
import type { McpHttpRequest } from './http-rules.js';

/** A Fastify request or reply: the framework object around Node's own (`raw`). */
interface Wrapped<T> {
  raw: T;
  body?: unknown;
  user?: unknown;
}

/**
 * Node's request from what `@Req()` gives: Express passes it as it is; Fastify wraps it, so its
 * parsed body and the user its guards set are copied onto the raw request the transport reads.
 */
export function nodeRequest(request: McpHttpRequest | Wrapped<IncomingMessage>): McpHttpRequest {
  if (request instanceof IncomingMessage) return request;
  return Object.assign(request.raw, { body: request.body, user: request.user });
}

/** Node's response from what `@Res()` gives (Express: itself; Fastify: `reply.raw`). */
export function nodeResponse(response: ServerResponse | Wrapped<ServerResponse>): ServerResponse {
  return response instanceof ServerResponse ? response : response.raw;
}

/**
 * Answers with a JSON body in one write: with its `Content-Length`, Node sends headers and body
 * together instead of a chunked body (which costs a write per chunk and a terminating one).
 */
export function sendJson(response: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}
