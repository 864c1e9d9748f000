import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpModule, McpSessionEvents, MemorySessionHost, type McpModuleOptions } from '@nest-mcp/mcp';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gate, GatedTools } from './support/gated-tools.js';
import { startApp, type RunningApp } from './support/app.js';
import { openSession, postMcp, SseReader } from './support/http.js';

const callTool = (id: number | string, name: string, args: Record<string, unknown>, progressToken?: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...(progressToken && { _meta: { progressToken } }) },
});

const progressOf = (message: Record<string, any>) => message.params?.progress as number;

async function start(options: Partial<McpModuleOptions> = {}): Promise<RunningApp & { url: string; gate: Gate; events: McpSessionEvents }> {
  const running = await startApp({
    imports: [McpModule.forRoot({ name: 'sse', version: '1.0.0', ...options })],
    providers: [Gate, GatedTools],
  });
  return {
    ...running,
    url: `${running.baseUrl}/mcp`,
    gate: running.app.get(Gate),
    events: running.app.get(McpSessionEvents),
  };
}

const openGet = (url: string, sessionId: string, lastEventId?: string, signal?: AbortSignal) =>
  fetch(url, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, ...(lastEventId && { 'last-event-id': lastEventId }) },
    signal,
  });

describe('SSE responses (auto mode)', () => {
  let server: Awaited<ReturnType<typeof start>>;
  let sessionId: string;

  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    sessionId = await openSession(server.url);
  });

  it('switches to SSE on the first progress: headers, priming event, ids per stream, final response', async () => {
    server.gate.open('framing');
    const response = await postMcp(server.url, callTool(1, 'stepper', { key: 'framing', steps: 2 }, 'tok'), { sessionId });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = new SseReader(response);
    const priming = await reader.next();
    expect(priming?.data).toBe('');
    expect(priming?.id).toMatch(/^[A-Za-z0-9_-]+\.0$/);
    expect(reader.retries).toEqual([1000]);
    const streamId = priming!.id!.split('.')[0];
    const first = await reader.nextMessage();
    const second = await reader.nextMessage();
    const result = await reader.nextMessage();
    // Event 1 is the stream's opening record (its owner, for resumption), never sent to clients.
    expect([first?.id, second?.id, result?.id]).toEqual([`${streamId}.2`, `${streamId}.3`, `${streamId}.4`]);
    expect(first?.message).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'tok', progress: 1, total: 2, message: 'step 1' },
    });
    expect(progressOf(second!.message)).toBe(2);
    expect(result?.message).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'done framing' }] } });
    await reader.expectEnd();
  });

  it('stays JSON when nothing is sent before the result (no progress token, no progress)', async () => {
    server.gate.open('quiet');
    const response = await postMcp(server.url, callTool(2, 'stepper', { key: 'quiet', steps: 3 }), { sessionId });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ id: 2, result: { content: [{ text: 'done quiet' }] } });
  });

  it('does not prime streams of clients older than 2025-11-25, but still gives events ids', async () => {
    const legacy = await openSession(server.url, { protocolVersion: '2025-06-18' });
    server.gate.open('legacy');
    const response = await postMcp(server.url, callTool(3, 'stepper', { key: 'legacy', steps: 1 }, 't'), { sessionId: legacy });
    const reader = new SseReader(response);
    const first = await reader.next();
    expect(first?.data).not.toBe('');
    expect(first?.id).toMatch(/\.1$/);
    expect(reader.retries).toEqual([]);
  });

  it('keeps running a tool whose POST stream the client dropped, and replays the rest after Last-Event-ID exactly', async () => {
    const abort = new AbortController();
    const response = await postMcp(server.url, callTool(4, 'stepper', { key: 'resume', steps: 3 }, 'p'), {
      sessionId,
      signal: abort.signal,
    });
    const reader = new SseReader(response);
    const priming = await reader.next();
    const first = await reader.nextMessage();
    expect(progressOf(first!.message)).toBe(1);
    abort.abort();
    await reader.cancel();

    server.gate.open('resume');
    const resumed = new SseReader(await openGet(server.url, sessionId, first!.id));
    const replayed: Array<{ id?: string; message: Record<string, any> }> = [];
    for (let message = await resumed.nextMessage(); message; message = await resumed.nextMessage()) replayed.push(message);
    const streamId = priming!.id!.split('.')[0];
    expect(replayed.map((event) => event.id)).toEqual([`${streamId}.3`, `${streamId}.4`, `${streamId}.5`]);
    expect(replayed.map((event) => event.message.params?.progress ?? event.message.result?.content[0].text)).toEqual([2, 3, 'done resume']);
    expect(server.gate.aborted.has('resume')).toBe(false);

    const fromStart = new SseReader(await openGet(server.url, sessionId, priming!.id));
    const all: string[] = [];
    for (let message = await fromStart.nextMessage(); message; message = await fromStart.nextMessage()) all.push(message.id!);
    expect(all).toEqual([2, 3, 4, 5].map((seq) => `${streamId}.${seq}`));

    const finished = await openGet(server.url, sessionId, `${streamId}.5`);
    expect(finished.status).toBe(204);
  });

  it("never replays another session's stream", async () => {
    server.gate.open('private');
    const response = await postMcp(server.url, callTool(5, 'stepper', { key: 'private', steps: 2 }, 'x'), { sessionId });
    const reader = new SseReader(response);
    const priming = await reader.next();
    const first = await reader.nextMessage();
    await reader.cancel();
    const intruder = await openSession(server.url);
    const replay = await openGet(server.url, intruder, first!.id);
    expect(replay.status).toBe(409);
    expect(await replay.text()).not.toContain('progress');

    const abort = new AbortController();
    const live = await openGet(server.url, intruder, priming!.id, abort.signal);
    expect(live.status).toBe(200);
    const intruderReader = new SseReader(live);
    await expect(intruderReader.nextMessage(300)).rejects.toThrow('no SSE event');
    abort.abort();
  });

  it('answers 400 to a malformed Last-Event-ID', async () => {
    for (const id of ['nonsense', 'a.b', 'get.-1', '../x.1']) {
      const response = await openGet(server.url, sessionId, id);
      expect(response.status).toBe(400);
      await response.text();
    }
  });
});

describe('GET stream', () => {
  let server: Awaited<ReturnType<typeof start>>;
  let sessionId: string;

  beforeAll(async () => {
    server = await start({ sseKeepaliveMs: 40 });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    sessionId = await openSession(server.url);
  });

  const note = (n: number) => ({ method: 'notifications/message', params: { level: 'info', data: `note ${n}` } });

  it('delivers notifications with ids, and resumes after a dropped connection with nothing missing or repeated', async () => {
    const abort = new AbortController();
    const response = await openGet(server.url, sessionId, undefined, abort.signal);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = new SseReader(response);
    const priming = await reader.next();
    expect(priming).toMatchObject({ id: 'get.0', data: '' });
    for (const n of [1, 2]) await server.events.notify(sessionId, note(n));
    const first = await reader.nextMessage();
    expect(first).toEqual({ id: 'get.1', message: { jsonrpc: '2.0', ...note(1) } });
    abort.abort();
    await sleep(20);
    for (const n of [3, 4]) await server.events.notify(sessionId, note(n));

    const resumed = new SseReader(await openGet(server.url, sessionId, 'get.1'));
    const rest = [await resumed.nextMessage(), await resumed.nextMessage(), await resumed.nextMessage()];
    expect(rest.map((event) => [event?.id, event?.message.params.data])).toEqual([
      ['get.2', 'note 2'],
      ['get.3', 'note 3'],
      ['get.4', 'note 4'],
    ]);
    await server.events.notify(sessionId, note(5));
    expect(await resumed.nextMessage()).toMatchObject({ id: 'get.5', message: { params: { data: 'note 5' } } });
    await resumed.cancel();
  });

  it('primes a fresh GET at the current end of the stream, so only new events arrive', async () => {
    await server.events.notify(sessionId, note(1));
    const reader = new SseReader(await openGet(server.url, sessionId));
    expect((await reader.next())?.id).toBe('get.1');
    await server.events.notify(sessionId, note(2));
    expect(await reader.nextMessage()).toMatchObject({ id: 'get.2', message: { params: { data: 'note 2' } } });
    await reader.cancel();
  });

  it('sends keepalive comments on an idle stream', async () => {
    const response = await openGet(server.url, sessionId);
    const text = new TextDecoder();
    const body = response.body!.getReader();
    let received = '';
    while (!received.includes(': keepalive\n\n')) {
      const { value, done } = await body.read();
      if (done) break;
      received += text.decode(value);
    }
    expect(received).toContain(': keepalive\n\n');
    await body.cancel();
  });

  it('hands the stream to the newest connection; the older one ends', async () => {
    const older = new SseReader(await openGet(server.url, sessionId));
    await older.next();
    const newer = new SseReader(await openGet(server.url, sessionId));
    await newer.next();
    await older.expectEnd();
    await server.events.notify(sessionId, note(9));
    expect(await newer.nextMessage()).toMatchObject({ message: { params: { data: 'note 9' } } });
    await newer.cancel();
  });

  it('reaches every session holding a GET stream once with notifyAll', async () => {
    const other = await openSession(server.url);
    const quiet = await openSession(server.url);
    const readers = [new SseReader(await openGet(server.url, sessionId)), new SseReader(await openGet(server.url, other))];
    for (const reader of readers) await reader.next();
    await server.events.notifyAll({ method: 'notifications/tools/list_changed' });
    for (const reader of readers) {
      expect(await reader.nextMessage()).toMatchObject({ message: { method: 'notifications/tools/list_changed' } });
      await expect(reader.nextMessage(200)).rejects.toThrow('no SSE event');
      await reader.cancel();
    }
    const quietReader = new SseReader(await openGet(server.url, quiet, 'get.0'));
    await expect(quietReader.nextMessage(200)).rejects.toThrow('no SSE event');
    await quietReader.cancel();
  });

  it('ends the GET stream and aborts running requests when the session is deleted', async () => {
    const reader = new SseReader(await openGet(server.url, sessionId));
    await reader.next();
    const call = postMcp(server.url, callTool(6, 'hold', { key: 'deleted' }), { sessionId });
    await server.gate.reached('deleted');
    const deleted = await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
    expect(deleted.status).toBe(204);
    await reader.expectEnd();
    const answer = await call;
    expect(answer.status).toBe(202);
    expect(server.gate.aborted.has('deleted')).toBe(true);
  });
});

describe('retention and slow clients', () => {
  it('refuses a replay whose start was already dropped (409), never a partial one', async () => {
    const host = new MemorySessionHost({ maxEventsPerStream: 3 });
    const server = await start({ sessionHost: host });
    try {
      const sessionId = await openSession(server.url);
      for (let n = 1; n <= 6; n++)
        await server.events.notify(sessionId, { method: 'notifications/message', params: { level: 'info', data: n } });
      const gone = await openGet(server.url, sessionId, 'get.1');
      expect(gone.status).toBe(409);
      expect(await gone.json()).toMatchObject({ error: { message: expect.stringContaining('no longer retained') } });
      const kept = new SseReader(await openGet(server.url, sessionId, 'get.3'));
      const ids = [(await kept.nextMessage())?.id, (await kept.nextMessage())?.id, (await kept.nextMessage())?.id];
      expect(ids).toEqual(['get.4', 'get.5', 'get.6']);
      await kept.cancel();
    } finally {
      await server.close();
      await host.close();
    }
  });

  /** Sends a request and stops reading the response at once, like a client that stalls. */
  const stalledRequest = (url: string, sessionId: string, method: 'GET' | 'POST', body?: unknown) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: new URL(url).port,
          method,
          path: '/mcp',
          headers: {
            accept: method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream',
            'content-type': 'application/json',
            'mcp-session-id': sessionId,
          },
        },
        (response) => {
          response.pause();
          resolve(response);
        },
      );
      request.once('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });

  /** Reads an SSE response until it ends or `count` events with data arrived; returns their data. */
  const readAllData = async (response: IncomingMessage, count = Infinity): Promise<Array<Record<string, any>>> => {
    const messages: Array<Record<string, any>> = [];
    let buffered = '';
    response.setEncoding('utf8');
    for await (const chunk of response) {
      const events = (buffered + (chunk as string)).split('\n\n');
      buffered = events.pop()!;
      for (const event of events) {
        const data = /^data: (.+)$/m.exec(event)?.[1];
        if (data?.trim()) messages.push(JSON.parse(data) as Record<string, any>);
      }
      if (messages.length >= count) break;
    }
    response.destroy();
    return messages;
  };

  const payload = 'z'.repeat(16 * 1024);
  const numbered = (n: number) => ({ method: 'notifications/message', params: { level: 'info', data: { n, payload } } });
  const oneTo = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

  it('pauses a GET stream whose client stops reading and continues from the log, losing nothing', async () => {
    const host = new MemorySessionHost({ maxEventsPerStream: 2_000 });
    const server = await start({ sessionHost: host, sseHighWaterBytes: 64 * 1024, sseKeepaliveMs: 0 });
    try {
      const sessionId = await openSession(server.url);
      const response = await stalledRequest(server.url, sessionId, 'GET');
      await sleep(50);
      for (let n = 1; n <= 1_000; n++) await server.events.notify(sessionId, numbered(n));
      await sleep(100);
      const messages = await readAllData(response, 1_000);
      expect(messages.map((message) => message.params.data.n)).toEqual(oneTo(1_000));
    } finally {
      await server.close();
      await host.close();
    }
  });

  it("feeds a POST stream whose client stops reading from the log at the client's pace, losing nothing", async () => {
    const host = new MemorySessionHost({ maxEventsPerStream: 2_000 });
    const server = await start({ sessionHost: host, sseHighWaterBytes: 64 * 1024, sseKeepaliveMs: 0 });
    try {
      const sessionId = await openSession(server.url);
      const response = await stalledRequest(server.url, sessionId, 'POST', callTool(1, 'flood', { count: 1_000, size: 16 * 1024 }));
      await sleep(300);
      const messages = await readAllData(response);
      expect(messages.slice(0, -1).map((message) => message.params.data.n)).toEqual(oneTo(1_000));
      expect(messages.at(-1)).toMatchObject({ id: 1, result: { content: [{ text: 'flooded 1000' }] } });
    } finally {
      await server.close();
      await host.close();
    }
  });
});

describe('SSE polling (ctx.closeSseStream)', () => {
  it('lets the official SDK client resume a stream the server closed, receiving progress and result', async () => {
    const server = await start({ sseRetryMs: 50 });
    const client = new Client({ name: 'polling', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const progress: number[] = [];
      const result = await client.callTool({ name: 'poll', arguments: {} }, undefined, {
        onprogress: (update) => progress.push(update.progress),
      });
      expect(result.content).toEqual([{ type: 'text', text: 'answered after polling' }]);
      expect(progress).toEqual([1]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('sends the priming event, then ends the POST connection before the result', async () => {
    const server = await start();
    try {
      const sessionId = await openSession(server.url);
      const reader = new SseReader(await postMcp(server.url, callTool(1, 'poll', {}, 'p'), { sessionId }));
      const priming = await reader.next();
      expect(priming).toMatchObject({ data: '', id: expect.stringMatching(/\.0$/) });
      await reader.expectEnd();
      const resumed = new SseReader(await openGet(server.url, sessionId, priming!.id));
      expect((await resumed.nextMessage())?.message.method).toBe('notifications/progress');
      expect((await resumed.nextMessage())?.message).toMatchObject({ id: 1, result: { content: [{ text: 'answered after polling' }] } });
      await resumed.expectEnd();
    } finally {
      await server.close();
    }
  });
});

describe('response modes', () => {
  it('json: answers with JSON and sends progress on the GET stream', async () => {
    const server = await start({ responseMode: 'json' });
    try {
      const sessionId = await openSession(server.url);
      const get = new SseReader(await openGet(server.url, sessionId));
      await get.next();
      server.gate.open('json');
      const response = await postMcp(server.url, callTool(1, 'stepper', { key: 'json', steps: 2 }, 'j'), { sessionId });
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toMatchObject({ id: 1, result: { content: [{ text: 'done json' }] } });
      expect(progressOf((await get.nextMessage())!.message)).toBe(1);
      expect(progressOf((await get.nextMessage())!.message)).toBe(2);
      await get.cancel();
    } finally {
      await server.close();
    }
  });

  it('sse: answers every request with a primed SSE stream', async () => {
    const server = await start({ responseMode: 'sse' });
    try {
      const sessionId = await openSession(server.url);
      const response = await postMcp(server.url, { jsonrpc: '2.0', id: 'p', method: 'ping' }, { sessionId });
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const reader = new SseReader(response);
      expect((await reader.next())?.data).toBe('');
      expect(await reader.nextMessage()).toMatchObject({ message: { id: 'p', result: {} } });
      await reader.expectEnd();
    } finally {
      await server.close();
    }
  });
});

describe('shutdown', () => {
  it('app.close() ends GET streams with a retry hint, and answers a tool still running after the grace period with a retryable error', async () => {
    const server = await start({ shutdownGraceMs: 300 });
    const sessionId = await openSession(server.url);
    const get = new SseReader(await openGet(server.url, sessionId));
    await get.next();
    const post = await postMcp(server.url, callTool(1, 'stepper', { key: 'never', steps: 2 }, 's'), { sessionId });
    const postReader = new SseReader(post);
    await postReader.nextMessage();
    const closing = server.close();
    await get.expectEnd();
    expect(get.retries).toEqual([1000, 1000]);
    expect((await postReader.nextMessage())?.message).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32603,
        message: 'The instance serving this request stopped before the request finished; it may be retried.',
        data: { retryable: true },
      },
    });
    await postReader.expectEnd();
    await closing;
    expect(server.gate.aborted.has('never')).toBe(true);
  });

  it('lets running requests finish during the grace period and refuses new ones with 503', async () => {
    const server = await start({ shutdownGraceMs: 10_000 });
    const sessionId = await openSession(server.url);
    const post = await postMcp(server.url, callTool(1, 'stepper', { key: 'graceful', steps: 2 }, 'g'), { sessionId });
    const postReader = new SseReader(post);
    await postReader.nextMessage();
    const closing = server.close();
    await server.gate.reached('graceful');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await postMcp(server.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { sessionId });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
    await refused.text();
    server.gate.open('graceful');
    expect(progressOf((await postReader.nextMessage())!.message)).toBe(2);
    expect((await postReader.nextMessage())?.message).toMatchObject({ id: 1, result: { content: [{ text: 'done graceful' }] } });
    await postReader.expectEnd();
    await closing;
    expect(server.gate.aborted.has('graceful')).toBe(false);
  });
});
