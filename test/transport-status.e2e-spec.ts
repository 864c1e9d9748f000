import { McpModule, MemorySessionHost } from '@nest-mcp/mcp';
import { Gate, GatedTools } from './support/gated-tools.js';
import { startApp, type RunningApp } from './support/app.js';
import { initializeRequest, MCP_ACCEPT, openSession, postMcp } from './support/http.js';

/** Every HTTP answer of the endpoint to 2025 clients that does not need auth or a failing host. */
describe('MCP endpoint: HTTP status table', () => {
  let running: RunningApp;
  let url: string;
  let sessionId: string;

  beforeAll(async () => {
    running = await startApp({
      imports: [McpModule.forRoot({ name: 'status-table', version: '1.0.0', maxBodyBytes: 300_000 })],
      providers: [Gate, GatedTools],
    });
    url = `${running.baseUrl}/mcp`;
  });

  afterAll(() => running.close());

  beforeEach(async () => {
    sessionId = await openSession(url);
  });

  const ping = (id: number | string = 1) => ({ jsonrpc: '2.0', id, method: 'ping' });

  /** `id`: the request's when the refusal came after a well-formed request was read, else null. */
  const expectJsonRpcError = async (response: Response, status: number, code: number, id: number | null = null) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
    expect(body).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
    expect(body.error.message.length).toBeGreaterThan(10);
    return body.error.message;
  };

  describe('Origin', () => {
    it('refuses a POST from a foreign origin with 403', async () => {
      const response = await postMcp(url, ping(), { sessionId, headers: { origin: 'http://evil.example.com' } });
      expect(await expectJsonRpcError(response, 403, -32600)).toContain('http://evil.example.com');
    });

    it('refuses GET and DELETE from a foreign origin with 403', async () => {
      for (const method of ['GET', 'DELETE']) {
        const response = await fetch(url, {
          method,
          headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, origin: 'https://evil.example.com' },
        });
        expect(response.status).toBe(403);
        await response.body?.cancel();
      }
    });

    it('refuses initialize from a foreign origin (DNS rebinding), accepts loopback origins on any port', async () => {
      const evil = await postMcp(url, initializeRequest(), {
        headers: { origin: 'http://evil.example.com', host: 'evil.example.com' },
      });
      expect(evil.status).toBe(403);
      expect(evil.headers.get('mcp-session-id')).toBeNull();
      for (const origin of ['http://localhost:5173', 'http://127.0.0.1:9999', 'https://[::1]:8443']) {
        const response = await postMcp(url, ping(), { sessionId, headers: { origin } });
        expect(response.status).toBe(200);
        await response.text();
      }
    });

    it('accepts requests without an Origin header', async () => {
      const response = await postMcp(url, ping(), { sessionId });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    });
  });

  describe('body, media types and JSON-RPC envelope', () => {
    it('answers 413 for a body over maxBodyBytes, whatever the declared length', async () => {
      const big = JSON.stringify({ ...ping(), params: { pad: 'x'.repeat(400_000) } });
      await expectJsonRpcError(await postMcp(url, big, { sessionId }), 413, -32600);
      const chunked = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, 'mcp-session-id': sessionId },
        body: chunked,
        duplex: 'half',
      });
      expect(response.status).toBe(413);
    });

    it('reads bodies larger than the app JSON parser default (100 KB) up to maxBodyBytes', async () => {
      const body = { ...ping(7), params: { _meta: { pad: 'y'.repeat(200_000) } } };
      const response = await postMcp(url, body, { sessionId });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    });

    it('answers 415 when the Content-Type is not JSON', async () => {
      const response = await postMcp(url, JSON.stringify(ping()), { sessionId, headers: { 'content-type': 'text/plain' } });
      await expectJsonRpcError(response, 415, -32600);
    });

    it('answers 406 when Accept lacks application/json or text/event-stream', async () => {
      for (const accept of ['application/json', 'text/event-stream', 'text/html']) {
        const response = await postMcp(url, ping(), { sessionId, headers: { accept } });
        await expectJsonRpcError(response, 406, -32600);
      }
      const wildcard = await postMcp(url, ping(), { sessionId, headers: { accept: '*/*' } });
      expect(wildcard.status).toBe(200);
      await wildcard.text();
    });

    it('answers 406 to a GET whose Accept lacks text/event-stream', async () => {
      const response = await fetch(url, { headers: { accept: 'application/json', 'mcp-session-id': sessionId } });
      await expectJsonRpcError(response, 406, -32600);
    });

    it('answers 400 / -32700 when the body is not JSON', async () => {
      const response = await postMcp(url, '{"jsonrpc": "2.0", "id": 1, "method": ', { sessionId });
      await expectJsonRpcError(response, 400, -32700);
    });

    it('answers 400 / -32600 for values that are not JSON-RPC messages', async () => {
      for (const body of [
        { hello: 'world' },
        { jsonrpc: '1.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] },
        42,
      ]) {
        await expectJsonRpcError(await postMcp(url, body, { sessionId }), 400, -32600);
      }
    });

    it('rejects batch arrays with 400 / -32600 on 2025-11-25 sessions', async () => {
      const message = await expectJsonRpcError(await postMcp(url, [ping(1), ping(2)], { sessionId }), 400, -32600);
      expect(message).toContain('2025-11-25');
    });

    it('answers batches of a 2025-03-26 session with a JSON array', async () => {
      const legacy = await openSession(url, { protocolVersion: '2025-03-26' });
      const response = await postMcp(
        url,
        [ping(1), { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'nope' }],
        {
          sessionId: legacy,
        },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([
        { jsonrpc: '2.0', id: 1, result: {} },
        { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found: nope' } },
      ]);
    });
  });

  describe('sessions', () => {
    it('answers 400 to a non-initialize request without Mcp-Session-Id', async () => {
      const message = await expectJsonRpcError(await postMcp(url, ping()), 400, -32600, 1);
      expect(message).toContain('Mcp-Session-Id');
    });

    it('answers 404 to unknown and malformed session ids', async () => {
      for (const id of ['AAAAAAAAAAAAAAAAAAAAAAAA', 'not a valid id \u00e9']) {
        const response = await postMcp(url, ping(), { headers: { 'mcp-session-id': encodeURI(id) } });
        expect(response.status).toBe(404);
        await response.text();
      }
    });

    it('answers 400 to initialize carrying a session id', async () => {
      await expectJsonRpcError(await postMcp(url, initializeRequest(), { sessionId }), 400, -32600, 1);
    });

    it('issues a fresh visible-ASCII session id per initialize', async () => {
      const other = await openSession(url);
      expect(other).not.toBe(sessionId);
      expect(other).toMatch(/^[\x21-\x7e]+$/);
      expect(Buffer.from(other, 'base64url').length * 8).toBeGreaterThanOrEqual(122);
    });

    it('negotiates the protocol version: supported ones echoed, unknown ones answered with the latest', async () => {
      for (const [requested, expected] of [
        ['2025-06-18', '2025-06-18'],
        ['2025-03-26', '2025-03-26'],
        ['2099-01-01', '2025-11-25'],
      ]) {
        const response = await postMcp(url, initializeRequest(requested));
        expect(((await response.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(expected);
      }
    });

    it('answers 400 to initialize without protocolVersion', async () => {
      const response = await postMcp(url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } });
      await expectJsonRpcError(response, 400, -32602, 1);
    });

    it('DELETE answers 204, then 404 for the same session', async () => {
      const remove = () => fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
      expect((await remove()).status).toBe(204);
      expect((await remove()).status).toBe(404);
      const response = await postMcp(url, ping(), { sessionId });
      expect(response.status).toBe(404);
      await response.text();
    });

    it('answers 400 to DELETE and GET without a session id', async () => {
      expect((await fetch(url, { method: 'DELETE' })).status).toBe(400);
      expect((await fetch(url, { headers: { accept: 'text/event-stream' } })).status).toBe(400);
    });
  });

  describe('MCP-Protocol-Version header', () => {
    it('answers 400 / -32022 to an unsupported version, naming the supported ones', async () => {
      const response = await postMcp(url, ping(), { sessionId, headers: { 'mcp-protocol-version': '2024-01-01' } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32022,
          message: expect.stringContaining('2024-01-01'),
          data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'], requested: '2024-01-01' },
        },
      });
    });

    it('accepts any supported version and its absence', async () => {
      const variants: Array<Record<string, string>> = [
        { 'mcp-protocol-version': '2025-11-25' },
        { 'mcp-protocol-version': '2025-03-26' },
        {},
      ];
      for (const headers of variants) {
        const response = await postMcp(url, ping(), { sessionId, headers });
        expect(response.status).toBe(200);
        await response.text();
      }
    });
  });

  describe('notifications, responses and methods', () => {
    it('answers 202 without a body to notifications and responses', async () => {
      for (const body of [
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', method: 'notifications/whatever', params: { a: 1 } },
        { jsonrpc: '2.0', id: 'srv-1', result: {} },
        { jsonrpc: '2.0', id: 'srv-2', error: { code: -1, message: 'no' } },
      ]) {
        const response = await postMcp(url, body, { sessionId });
        expect(response.status).toBe(202);
        expect(await response.text()).toBe('');
      }
    });

    it('answers 405 with Allow to other HTTP methods', async () => {
      for (const method of ['PUT', 'PATCH']) {
        const response = await fetch(url, { method, headers: { 'mcp-session-id': sessionId } });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, POST, DELETE, OPTIONS');
        await response.text();
      }
    });

    it('answers -32601 to unknown methods and -32602 to bad params', async () => {
      const unknown = await postMcp(url, { jsonrpc: '2.0', id: 3, method: 'tools/destroy' }, { sessionId });
      expect(await unknown.json()).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found: tools/destroy' } });
      const badParams = await postMcp(url, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 42 } }, { sessionId });
      expect(await badParams.json()).toMatchObject({ id: 4, error: { code: -32602 } });
      const unknownTool = await postMcp(url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'nope' } }, { sessionId });
      expect(await unknownTool.json()).toMatchObject({ id: 5, error: { code: -32602, message: 'Unknown tool: nope' } });
    });

    it('refuses a second running request with the same id in one session', async () => {
      const first = postMcp(
        url,
        { jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'hold', arguments: { key: 'dup' } } },
        { sessionId },
      );
      await running.app.get(Gate).reached('dup');
      const second = await postMcp(url, { jsonrpc: '2.0', id: 'dup', method: 'ping' }, { sessionId });
      expect(await second.json()).toMatchObject({ id: 'dup', error: { code: -32600 } });
      running.app.get(Gate).open('dup');
      expect(await (await first).json()).toMatchObject({ id: 'dup', result: { content: [{ text: 'released dup' }] } });
    });
  });
});

describe('MCP endpoint: session store outages', () => {
  it('answers 503 with Retry-After when the host is full, never 404', async () => {
    const host = new MemorySessionHost({ maxSessions: 1 });
    const running = await startApp({ imports: [McpModule.forRoot({ name: 'full', version: '1.0.0', sessionHost: host })] });
    try {
      const url = `${running.baseUrl}/mcp`;
      await openSession(url);
      const response = await postMcp(url, initializeRequest());
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining('full') } });
    } finally {
      await running.close();
      await host.close();
    }
  });
});
