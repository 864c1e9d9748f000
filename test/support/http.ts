import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';

export const MCP_ACCEPT = 'application/json, text/event-stream';

export interface McpPostOptions {
  sessionId?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** POSTs a JSON-RPC message (or any raw body) to an MCP endpoint with the headers a client sends. */
export function postMcp(url: string, body: unknown, options: McpPostOptions = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: MCP_ACCEPT,
      ...(options.sessionId && { 'mcp-session-id': options.sessionId }),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: options.signal,
  });
}

export const initializeRequest = (protocolVersion = '2025-11-25', id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-http-test', version: '1.0.0' } },
});

/** Creates a session (initialize + initialized) and returns its id. */
export async function openSession(
  url: string,
  options: { protocolVersion?: string; headers?: Record<string, string> } = {},
): Promise<string> {
  const response = await postMcp(url, initializeRequest(options.protocolVersion), { headers: options.headers });
  if (response.status !== 200) throw new Error(`initialize failed: ${response.status} ${await response.text()}`);
  await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  if (!sessionId) throw new Error('initialize returned no Mcp-Session-Id');
  const initialized = await postMcp(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { sessionId, headers: options.headers });
  await initialized.text();
  return sessionId;
}

/** Reads SSE events from a response body, one at a time, with a timeout per read. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<EventSourceMessage>;
  readonly retries: number[] = [];

  constructor(response: Response) {
    if (!response.body) throw new Error('response has no body');
    this.reader = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => this.retries.push(ms) }))
      .getReader();
  }

  /** The next event, or `undefined` when the stream ended. */
  async next(timeoutMs = 5_000): Promise<EventSourceMessage | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { value, done } = await Promise.race([this.reader.read(), timeout]);
      return done ? undefined : value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next event's data as JSON (skips events without data, such as the priming event). */
  async nextMessage(timeoutMs?: number): Promise<{ id?: string; message: Record<string, any> } | undefined> {
    for (;;) {
      const event = await this.next(timeoutMs);
      if (!event) return undefined;
      if (event.data) return { id: event.id, message: JSON.parse(event.data) as Record<string, any> };
    }
  }

  /** Resolves once the stream ends; fails if it delivers another event first. */
  async expectEnd(timeoutMs?: number): Promise<void> {
    const event = await this.next(timeoutMs);
    if (event) throw new Error(`expected the stream to end, got ${JSON.stringify(event)}`);
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => undefined);
  }
}
