import { MCP_ACCEPT, SseReader } from './http.js';

export const MODERN_VERSION = '2026-07-28';

export interface ModernCallOptions {
  id?: number | string;
  /** `io.modelcontextprotocol/clientCapabilities`. Default `{}`. */
  capabilities?: Record<string, unknown>;
  /** More `_meta` (progressToken, logLevel, ...); `null` values remove a key. */
  meta?: Record<string, unknown>;
  /** Headers to add or (with `undefined`) to leave out of the standard ones. */
  headers?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

const NAME_SOURCES: Record<string, string> = {
  'tools/call': 'name',
  'resources/read': 'uri',
  'prompts/get': 'name',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/** A 2026-07-28 request body: `params` plus the `_meta` envelope every request carries. */
export function modernBody(method: string, params: Record<string, unknown> = {}, options: ModernCallOptions = {}) {
  const meta: Record<string, unknown> = {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-modern-test', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? {},
  };
  for (const [key, value] of Object.entries(options.meta ?? {})) {
    if (value === null) delete meta[key];
    else meta[key] = value;
  }
  return { jsonrpc: '2.0', id: options.id ?? 1, method, params: { ...params, _meta: meta } };
}

/** The headers a conforming 2026-07-28 client sends for `body` (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`). */
export function modernHeaders(body: { method: string; params?: Record<string, unknown> }): Record<string, string> {
  const source = NAME_SOURCES[body.method];
  return {
    'mcp-protocol-version': MODERN_VERSION,
    'mcp-method': body.method,
    ...(source && typeof body.params?.[source] === 'string' && { 'mcp-name': body.params[source] }),
  };
}

/** POSTs a raw body with the standard modern headers of `headersFor` (or none), adjusted by `headers`. */
export function postRaw(
  url: string,
  body: unknown,
  headers: Record<string, string | undefined> = {},
  signal?: AbortSignal,
): Promise<Response> {
  const merged: Record<string, string> = { 'content-type': 'application/json', accept: MCP_ACCEPT };
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) delete merged[key.toLowerCase()];
    else merged[key.toLowerCase()] = value;
  }
  return fetch(url, { method: 'POST', headers: merged, body: typeof body === 'string' ? body : JSON.stringify(body), signal });
}

/** POSTs a well-formed 2026-07-28 request. */
export function postModern(url: string, method: string, params: Record<string, unknown> = {}, options: ModernCallOptions = {}) {
  const body = modernBody(method, params, options);
  const headers: Record<string, string | undefined> = { ...modernHeaders(body), ...options.headers };
  return postRaw(url, body, headers, options.signal);
}

export interface ModernAnswer {
  status: number;
  contentType: string;
  /** Notifications that came before the response, in order. */
  notifications: Array<Record<string, any>>;
  response: Record<string, any>;
}

/** Reads a modern answer, JSON or SSE, into its notifications and its response. */
export async function readAnswer(response: Response): Promise<ModernAnswer> {
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream')) {
    return { status: response.status, contentType, notifications: [], response: (await response.json()) as Record<string, any> };
  }
  const reader = new SseReader(response);
  const notifications: Array<Record<string, any>> = [];
  for (;;) {
    const next = await reader.nextMessage();
    if (!next) throw new Error('the SSE stream ended without a response');
    if ('result' in next.message || 'error' in next.message) {
      await reader.expectEnd();
      return { status: response.status, contentType, notifications, response: next.message };
    }
    notifications.push(next.message);
  }
}

/** POSTs a modern request and reads its answer. */
export async function callModern(url: string, method: string, params: Record<string, unknown> = {}, options: ModernCallOptions = {}) {
  return readAnswer(await postModern(url, method, params, options));
}
