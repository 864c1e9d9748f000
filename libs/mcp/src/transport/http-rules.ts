import { HttpException, HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { errorResponse, JsonRpcErrorCode } from '../protocol/json-rpc.js';

/** The request as the transport sees it: Node's message plus what Express or guards attach. */
export type McpHttpRequest = IncomingMessage & { body?: unknown; user?: unknown; originalUrl?: string };

/**
 * An HTTP-level refusal of the MCP endpoint (DESIGN.md, "HTTP answers"). It is a Nest
 * `HttpException` whose body is a JSON-RPC error without id, so the app's exception filters see
 * and may reshape it like any other.
 */
export class McpHttpException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: number,
    message: string,
  ) {
    super(errorResponse(null, { code, message }), status);
  }
}

export const forbiddenOrigin = (origin: string) =>
  new McpHttpException(HttpStatus.FORBIDDEN, JsonRpcErrorCode.ConnectionClosed, `Origin ${origin} is not allowed.`);

export const notAcceptable = (needed: string) =>
  new McpHttpException(HttpStatus.NOT_ACCEPTABLE, JsonRpcErrorCode.ConnectionClosed, `The Accept header must include ${needed}.`);

export const unsupportedMediaType = () =>
  new McpHttpException(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    JsonRpcErrorCode.ConnectionClosed,
    'The Content-Type must be application/json.',
  );

export const payloadTooLarge = (limit: number) =>
  new McpHttpException(HttpStatus.PAYLOAD_TOO_LARGE, JsonRpcErrorCode.InvalidRequest, `The body exceeds ${limit} bytes.`);

export const parseError = () =>
  new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.ParseError, 'Parse error: the body is not valid JSON.');

export const invalidRequest = (message: string) =>
  new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.InvalidRequest, `Invalid request: ${message}`);

export const badRequest = (message: string) =>
  new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.ConnectionClosed, message);

export const sessionNotFound = () =>
  new McpHttpException(
    HttpStatus.NOT_FOUND,
    JsonRpcErrorCode.SessionNotFound,
    'Session not found: it expired, was deleted or never existed. Initialize a new session.',
  );

export const replayConflict = (message: string) =>
  new McpHttpException(HttpStatus.CONFLICT, JsonRpcErrorCode.ConnectionClosed, message);

export const unavailable = (message: string) =>
  new McpHttpException(HttpStatus.SERVICE_UNAVAILABLE, JsonRpcErrorCode.ConnectionClosed, message);

export const methodNotAllowed = () =>
  new McpHttpException(
    HttpStatus.METHOD_NOT_ALLOWED,
    JsonRpcErrorCode.ConnectionClosed,
    'Method not allowed: the MCP endpoint answers POST, GET and DELETE.',
  );

/** `/mcp`, `mcp/` and `//mcp` all become `/mcp`; the root stays `/`. */
export function normalizeEndpointPath(path: string): string {
  const trimmed = path.split('/').filter(Boolean).join('/');
  return `/${trimmed}`;
}

export const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Whether an Accept header admits a media type (`type/*` and `*\/*` count; `q=0` refuses). */
export function accepts(acceptHeader: string | undefined, mediaType: string): boolean {
  if (!acceptHeader) return false;
  const [type] = mediaType.split('/');
  return acceptHeader.split(',').some((range) => {
    const [value = '', ...params] = range.trim().toLowerCase().split(';');
    if (params.some((param) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(param))) return false;
    const candidate = value.trim();
    return candidate === mediaType || candidate === `${type}/*` || candidate === '*/*';
  });
}

export const isJsonContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';

/** Matches an `Origin` against the allow-list; an entry ending in `:*` allows any port of its host. */
export function isOriginAllowed(origin: string, allowed: string[] | '*'): boolean {
  if (allowed === '*') return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const exact = parsed.origin.toLowerCase();
  const anyPort = `${parsed.protocol}//${parsed.hostname}:*`.toLowerCase();
  return allowed.some((entry) => {
    const normalized = entry.replace(/\/+$/, '').toLowerCase();
    return normalized === exact || normalized === anyPort;
  });
}
