import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, isOriginAllowed } from './http-rules.js';

/** Request headers a browser client may send (Fetch standard, CORS): MCP's own and auth. */
const ALLOWED_HEADERS = new Set([
  'accept',
  'authorization',
  'content-type',
  'last-event-id',
  'mcp-method',
  'mcp-name',
  'mcp-protocol-version',
  'mcp-session-id',
]);
/** `Mcp-Param-{Name}` headers of 2026-07-28 tool arguments (any name). */
const PARAM_HEADER = /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** Response headers a browser client must be able to read. */
const EXPOSED_HEADERS = 'Mcp-Session-Id, WWW-Authenticate, Retry-After';
export const ENDPOINT_METHODS = 'GET, POST, DELETE, OPTIONS';

/**
 * CORS for the MCP endpoint (Fetch standard, "CORS protocol"), driven by `allowedOrigins`: a
 * request from an allowed origin gets `Access-Control-Allow-Origin` (its own origin) and may read
 * the session id and auth challenges. Requests from other origins are refused with 403 by the
 * transport's origin check. Sets the headers on Node's response, so that every answer, auth
 * refusals included, carries them.
 */
export function applyCors(request: IncomingMessage, response: ServerResponse, allowedOrigins: string[] | '*'): void {
  const origin = header(request, 'origin');
  if (origin === undefined || !isOriginAllowed(origin, allowedOrigins)) return;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  response.setHeader('Vary', 'Origin');
}

/**
 * The headers of an answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`), or
 * `undefined` when it asks for a method or a header the endpoint does not take.
 */
export function preflightHeaders(request: IncomingMessage): Record<string, string> | undefined {
  const method = header(request, 'access-control-request-method')?.toUpperCase();
  if (method !== undefined && !['GET', 'POST', 'DELETE'].includes(method)) return undefined;
  const requested = (header(request, 'access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (requested.some((name) => !ALLOWED_HEADERS.has(name) && !PARAM_HEADER.test(name))) return undefined;
  return {
    'Access-Control-Allow-Methods': 'GET, POST, DELETE',
    ...(requested.length > 0 && { 'Access-Control-Allow-Headers': requested.join(', ') }),
    'Access-Control-Max-Age': '600',
  };
}
