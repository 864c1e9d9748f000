import { HttpException, HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { errorResponse, JsonRpcErrorCode, type JsonRpcId, type JsonRpcResponse } from '../protocol/json-rpc.js';
import type { McpError } from '../protocol/mcp.error.js';

/** The request as the transport sees it: Node's message plus what Express or guards attach. */
export type McpHttpRequest = IncomingMessage & { body?: unknown; user?: unknown; originalUrl?: string };

/**
 * An HTTP-level refusal of the MCP endpoint. It is a Nest `HttpException` whose body is a JSON-RPC
 * error response (with the request's id when it could be read), so the app's exception filters see
 * and may reshape it like any other.
 */
export class McpHttpException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: number,
    message: string,
    options: { id?: JsonRpcId | null; data?: unknown } = {},
  ) {
    const error = options.data === undefined ? { code, message } : { code, message, data: options.data };
    super(errorResponse(options.id ?? null, error), status);
  }

  /** A protocol error refused before dispatch, answered with `status`. */
  static from(error: McpError, status: HttpStatus, id: JsonRpcId | null): McpHttpException {
    return new McpHttpException(status, error.code, error.message, { id, data: error.data });
  }
}

export const forbiddenOrigin = (origin: string) =>
  new McpHttpException(HttpStatus.FORBIDDEN, JsonRpcErrorCode.InvalidRequest, `Origin ${origin} is not allowed.`);

export const forbiddenPreflight = () =>
  new McpHttpException(
    HttpStatus.FORBIDDEN,
    JsonRpcErrorCode.InvalidRequest,
    'CORS preflight refused: the endpoint takes GET, POST and DELETE, and the headers MCP and auth use (Authorization, Content-Type, Mcp-*, Last-Event-ID).',
  );

export const notAcceptable = (needed: string) =>
  new McpHttpException(HttpStatus.NOT_ACCEPTABLE, JsonRpcErrorCode.InvalidRequest, `The Accept header must include ${needed}.`);

export const unsupportedMediaType = () =>
  new McpHttpException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, JsonRpcErrorCode.InvalidRequest, 'The Content-Type must be application/json.');

export const payloadTooLarge = (limit: number) =>
  new McpHttpException(HttpStatus.PAYLOAD_TOO_LARGE, JsonRpcErrorCode.InvalidRequest, `The body exceeds ${limit} bytes.`);

export const parseError = () =>
  new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.ParseError, 'Parse error: the body is not valid JSON.');

export const invalidRequest = (message: string, id: JsonRpcId | null = null) =>
  new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.InvalidRequest, `Invalid request: ${message}`, { id });

export const replayConflict = (message: string) => new McpHttpException(HttpStatus.CONFLICT, JsonRpcErrorCode.InvalidRequest, message);

/** The session store is down or full: nothing is wrong with the request, so the client retries later. */
export const unavailable = (message: string) =>
  new McpHttpException(HttpStatus.SERVICE_UNAVAILABLE, JsonRpcErrorCode.InternalError, message);

export const tooManySessions = (message: string) =>
  new McpHttpException(HttpStatus.TOO_MANY_REQUESTS, JsonRpcErrorCode.InvalidRequest, message);

export const methodNotAllowed = (allowed: string) =>
  new McpHttpException(
    HttpStatus.METHOD_NOT_ALLOWED,
    JsonRpcErrorCode.InvalidRequest,
    `Method not allowed: the MCP endpoint answers ${allowed}.`,
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

const ACCEPT_ANSWERS_LIMIT = 256;
const acceptAnswers = new Map<string, boolean>();

/** Whether an Accept header admits a media type (`type/*` and `*\/*` count; `q=0` refuses). */
export function accepts(acceptHeader: string | undefined, mediaType: string): boolean {
  if (!acceptHeader) return false;
  // A client sends the same Accept header with every request: parse each one once.
  const key = `${mediaType}\n${acceptHeader}`;
  let answer = acceptAnswers.get(key);
  if (answer === undefined) {
    if (acceptAnswers.size >= ACCEPT_ANSWERS_LIMIT) acceptAnswers.clear();
    answer = parseAccepts(acceptHeader, mediaType);
    acceptAnswers.set(key, answer);
  }
  return answer;
}

function parseAccepts(acceptHeader: string, mediaType: string): boolean {
  const [type] = mediaType.split('/');
  return acceptHeader.split(',').some((range) => {
    const [value = '', ...params] = range.trim().toLowerCase().split(';');
    if (params.some((param) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(param))) return false;
    const candidate = value.trim();
    return candidate === mediaType || candidate === `${type}/*` || candidate === '*/*';
  });
}

export const isJsonContentType = (contentType: string | undefined): boolean =>
  contentType === 'application/json' ||
  (contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() === 'application/json');

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

/**
 * Status of a protocol error refused before dispatch: 404 for an unknown method (MCP 2026-07-28
 * `basic/transports/streamable-http`, "Protocol Version Header") and an unknown session (2025),
 * 400 for everything else wrong with the request.
 */
export const refusalStatus = (code: number): HttpStatus =>
  code === JsonRpcErrorCode.MethodNotFound || code === JsonRpcErrorCode.SessionNotFound ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;

/**
 * Status of a JSON response that a handler produced: 400 for a missing client capability (MCP
 * 2026-07-28 `basic/index`: "On HTTP, the response status MUST be 400"), 200 for anything else,
 * errors included (they are answers to a well-formed request).
 */
export const responseStatus = (response: JsonRpcResponse): HttpStatus =>
  'error' in response && response.error.code === JsonRpcErrorCode.MissingRequiredClientCapability ? HttpStatus.BAD_REQUEST : HttpStatus.OK;
