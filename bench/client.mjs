// The bench's MCP client: the exact requests it loads servers with, sessions, GET streams and
// subscriptions/listen streams over node:http with keep-alive agents (one socket per open stream).
import http from 'node:http';
import { fail } from './failures.mjs';

export const LEGACY_VERSION = '2025-11-25';
export const MODERN_VERSION = '2026-07-28';

const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/**
 * Stands for the JSON-RPC id in the requests the load generator sends: each request gets a fresh
 * number there, since a session's running requests must not share an id.
 */
export const ID_PLACEHOLDER = '"<id>"';
const ID = JSON.parse(ID_PLACEHOLDER);

/** Text in every successful answer to the bench's `tools/call` (checked on every response under load). */
export const ECHO_MARK = '"text":"hello"';
/** Text in every successful `initialize` answer. */
export const INITIALIZE_MARK = `"protocolVersion":"${LEGACY_VERSION}"`;

const withToken = (headers, token) => (token ? { ...headers, authorization: `Bearer ${token}` } : headers);

export const initializeRequest = (token) => ({
  headers: withToken(BASE_HEADERS, token),
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
  }),
});

const ECHO_PARAMS = { name: 'echo', arguments: { text: 'hello' } };

/** A 2026-07-28 request: `_meta` in the body, the headers that mirror it (docs/protocol-versions.md). */
export function modernRequest(method, params, token, name) {
  const meta = { 'io.modelcontextprotocol/protocolVersion': MODERN_VERSION, 'io.modelcontextprotocol/clientCapabilities': {} };
  return {
    headers: withToken(
      { ...BASE_HEADERS, 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method, ...(name && { 'mcp-name': name }) },
      token,
    ),
    body: JSON.stringify({ jsonrpc: '2.0', id: ID, method, params: { ...params, _meta: meta } }),
  };
}

/**
 * The `tools/call` of `echo` the bench sends, by era: `plain` (no session: the floors), `2025` (on
 * the open session `sessionId`), `2026` (stateless).
 */
export function echoRequest(era, { sessionId, token } = {}) {
  if (era === '2026') return modernRequest('tools/call', ECHO_PARAMS, token, 'echo');
  const session = era === '2025' ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY_VERSION } : {};
  return {
    headers: withToken({ ...BASE_HEADERS, ...session }, token),
    body: JSON.stringify({ jsonrpc: '2.0', id: ID, method: 'tools/call', params: ECHO_PARAMS }),
  };
}

export const requestAgent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });
export const streamAgent = () => new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** One HTTP exchange, body read in full. */
export function send(url, { method = 'POST', headers = {}, body, agent }) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `request` once and checks it answers 2xx with `mark` in the body, before any load. */
export async function verify(label, url, request, mark) {
  const answer = await send(url, { ...request, body: request.body.replaceAll(ID_PLACEHOLDER, '1') });
  if (answer.status < 200 || answer.status > 299 || !answer.body.includes(mark)) {
    throw new Error(`${label} answered ${answer.status} without ${mark}: ${answer.body.slice(0, 300)}`);
  }
  return answer;
}

/** `initialize` + `notifications/initialized`: a ready 2025 session; resolves to its id. */
export async function openSession(url, { agent, token } = {}) {
  const init = await send(url, { ...initializeRequest(token), agent });
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || !sessionId)
    throw new Error(`initialize answered ${init.status} without a session: ${init.body.slice(0, 300)}`);
  const initialized = await send(url, {
    headers: withToken({ ...BASE_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY_VERSION }, token),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    agent,
  });
  if (initialized.status !== 202) throw new Error(`notifications/initialized answered ${initialized.status}`);
  return sessionId;
}

export async function deleteSession(url, sessionId, { agent, token } = {}) {
  const answer = await send(url, {
    method: 'DELETE',
    headers: withToken({ 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY_VERSION }, token),
    agent,
  });
  if (answer.status < 200 || answer.status > 299) throw new Error(`DELETE of a session answered ${answer.status}`);
}

/** Feeds SSE text to `onMessage` one `data` payload at a time. */
function sseParser(onMessage) {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) onMessage(data);
    }
  };
}

/**
 * Opens a long-lived SSE response and resolves once `ready(firstMessage)` holds (or, without
 * `ready`, once the headers are in). The stream must stay open until `close()`: ending earlier
 * is a failure of the run.
 */
function openStream(label, url, { method, headers, body, agent, onMessage = () => {}, ready }) {
  return new Promise((resolve, reject) => {
    const stream = { closed: false, close: () => undefined };
    const req = http.request(url, { method, headers, agent }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.resume();
        reject(new Error(`${label} answered ${res.statusCode} ${res.headers['content-type']}`));
        return;
      }
      stream.close = () => {
        stream.closed = true;
        res.destroy();
      };
      let waiting = Boolean(ready);
      res.setEncoding('utf8');
      res.on(
        'data',
        sseParser((data) => {
          if (waiting && ready(data)) {
            waiting = false;
            resolve(stream);
          } else if (!waiting) {
            onMessage(data);
          }
        }),
      );
      const ended = (error) => {
        if (!stream.closed) fail(`${label} ended while open${error ? `: ${error.message}` : ''}`);
        stream.closed = true;
      };
      res.on('end', () => ended());
      res.on('error', ended);
      if (!waiting) resolve(stream);
    });
    req.on('error', (error) => (stream.closed ? undefined : reject(error)));
    req.end(body);
  });
}

/** The session's GET stream (server → client messages of a 2025 session). */
export function openGetStream(url, sessionId, { agent, token, onMessage } = {}) {
  return openStream('a GET stream', url, {
    method: 'GET',
    headers: withToken({ accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY_VERSION }, token),
    agent,
    onMessage,
  });
}

/** A 2026-07-28 `subscriptions/listen` stream for list changes, open once it is acknowledged. */
export function openListenStream(url, { agent, token, onMessage } = {}) {
  const request = modernRequest('subscriptions/listen', { notifications: { resourcesListChanged: true } }, token);
  return openStream('a subscriptions/listen stream', url, {
    method: 'POST',
    ...request,
    agent,
    onMessage,
    ready: (data) => data.includes('notifications/subscriptions/acknowledged'),
  });
}

/** Runs `task(index)` for 0..count-1, at most `concurrency` at a time. */
export async function inParallel(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
