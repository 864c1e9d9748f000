import type { IncomingMessage } from 'node:http';

/** Where the early body reader leaves a claimed body on the request. */
export const MCP_RAW_BODY = Symbol.for('@nest-mcp/mcp:rawBody');

export type RequestBody =
  /** The bytes of the body, read by this module. */
  | { kind: 'raw'; bytes: Buffer }
  /** The body was already parsed by the app's own parser (`request.body`). */
  | { kind: 'parsed'; value: unknown }
  | { kind: 'too-large' };

type BodyCarrier = IncomingMessage & { body?: unknown; [MCP_RAW_BODY]?: RequestBody };

/**
 * Reads a request body up to `limit` bytes. A declared `Content-Length` over the limit is refused
 * without reading; a chunked body is cut off as soon as it crosses the limit.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<RequestBody> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve({ kind: 'too-large' });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.resume();
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ kind: 'raw', bytes: Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
  });
}

/**
 * The body of a POST to the endpoint, wherever it is: claimed early by {@link McpBodyReader}, already
 * parsed by the app's parser, or still in the stream.
 */
export function takeBody(request: IncomingMessage, limit: number): Promise<RequestBody> {
  const carrier = request as BodyCarrier;
  const claimed = carrier[MCP_RAW_BODY];
  if (claimed) return Promise.resolve(claimed);
  if (request.readableEnded && carrier.body !== undefined) {
    // Parsed by the app (Fastify, or a parser ahead of ours): the limit still holds for what was sent.
    const declared = Number(request.headers['content-length']);
    return Promise.resolve(declared > limit ? { kind: 'too-large' } : { kind: 'parsed', value: carrier.body });
  }
  return readBody(request, limit);
}

/** Stores a body read before the app's parsers ran, so they skip the (now consumed) request. */
export function claimBody(request: IncomingMessage, body: RequestBody): void {
  (request as BodyCarrier)[MCP_RAW_BODY] = body;
}
