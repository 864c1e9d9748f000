import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { McpModule, McpSessionEvents } from '@nest-mcp/mcp';
import { Gate, GatedTools } from './support/gated-tools.js';
import { serve } from './support/app.js';
import { initializeRequest, MCP_ACCEPT, openSession, postMcp, SseReader } from './support/http.js';
import { callModern, postModern } from './support/modern-http.js';

/** The same module on Nest's Fastify adapter: one transport code path serves both adapters. */
describe('McpModule on the Fastify adapter', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'fastify', version: '1.0.0', maxBodyBytes: 200_000 })],
      providers: [Gate, GatedTools],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error', 'warn'] });
    app.setGlobalPrefix('api');
    url = `${(await serve(app)).baseUrl}/api/mcp`;
  });

  afterAll(() => app.close());

  it('serves the official SDK client: tools, progress over SSE, notifications on the GET stream', async () => {
    const client = new Client({ name: 'fastify-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    try {
      await client.connect(transport);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('stepper');
      app.get(Gate).open('fastify');
      const progress: number[] = [];
      const result = await client.callTool({ name: 'stepper', arguments: { key: 'fastify', steps: 3 } }, undefined, {
        onprogress: ({ progress: value }) => progress.push(value),
      });
      expect(result.content).toEqual([{ type: 'text', text: 'done fastify' }]);
      expect(progress).toEqual([1, 2, 3]);
    } finally {
      await client.close();
    }
  });

  it('resumes a dropped POST stream with Last-Event-ID', async () => {
    const sessionId = await openSession(url);
    const abort = new AbortController();
    const call = {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'stepper', arguments: { key: 'fastify-resume', steps: 2 }, _meta: { progressToken: 't' } },
    };
    const reader = new SseReader(await postMcp(url, call, { sessionId, signal: abort.signal }));
    await reader.next();
    const first = await reader.nextMessage();
    abort.abort();
    app.get(Gate).open('fastify-resume');
    const resumed = new SseReader(
      await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'last-event-id': first!.id! } }),
    );
    expect((await resumed.nextMessage())?.message.params.progress).toBe(2);
    expect((await resumed.nextMessage())?.message).toMatchObject({ id: 9, result: { content: [{ text: 'done fastify-resume' }] } });
    await resumed.expectEnd();
  });

  it('delivers McpSessionEvents.notify on the GET stream', async () => {
    const sessionId = await openSession(url);
    const reader = new SseReader(await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId } }));
    expect((await reader.next())?.id).toBe('get.0');
    await app.get(McpSessionEvents).notify(sessionId, { method: 'notifications/message', params: { level: 'info', data: 'hi' } });
    expect(await reader.nextMessage()).toMatchObject({ id: 'get.1', message: { params: { data: 'hi' } } });
    await reader.cancel();
  });

  it('serves 2026-07-28 requests: progress over SSE, header checks, listen, cancellation', async () => {
    const gate = app.get(Gate);
    gate.open('fastify-modern');
    const answer = await callModern(
      url,
      'tools/call',
      { name: 'stepper', arguments: { key: 'fastify-modern', steps: 2 } },
      { meta: { progressToken: 'f' } },
    );
    expect(answer.notifications.map((notification) => notification.params.progress)).toEqual([1, 2]);
    expect(answer.response.result).toMatchObject({ content: [{ text: 'done fastify-modern' }], resultType: 'complete' });
    const mismatch = await postModern(url, 'tools/list', {}, { headers: { 'mcp-method': 'prompts/list' } });
    expect([mismatch.status, ((await mismatch.json()) as { error: { code: number } }).error.code]).toEqual([400, -32020]);
    const unknown = await postModern(url, 'ping');
    expect([unknown.status, ((await unknown.json()) as { error: { code: number } }).error.code]).toEqual([404, -32601]);

    const listening = new AbortController();
    const listen = new SseReader(
      await postModern(url, 'subscriptions/listen', { notifications: { resourcesListChanged: true } }, { signal: listening.signal }),
    );
    expect((await listen.nextMessage())?.message.method).toBe('notifications/subscriptions/acknowledged');
    listening.abort();

    const cancelling = new AbortController();
    const held = new SseReader(
      await postModern(
        url,
        'tools/call',
        { name: 'stepper', arguments: { key: 'fastify-cancel', steps: 2 } },
        { meta: { progressToken: 1 }, signal: cancelling.signal },
      ),
    );
    expect((await held.nextMessage())?.message.method).toBe('notifications/progress');
    cancelling.abort();
    for (let wait = 0; !gate.aborted.has('fastify-cancel') && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gate.aborted.has('fastify-cancel')).toBe(true);
  });

  it('answers the status table rows with the same codes as on Express', async () => {
    const sessionId = await openSession(url);
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    expect((await postMcp(url, ping, { sessionId, headers: { origin: 'https://evil.example.com' } })).status).toBe(403);
    expect((await postMcp(url, ping, { sessionId, headers: { accept: 'application/json' } })).status).toBe(406);
    expect((await postMcp(url, JSON.stringify(ping), { sessionId, headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await postMcp(url, '{"jsonrpc":', { sessionId })).status).toBe(400);
    expect((await postMcp(url, { ...ping, params: { pad: 'x'.repeat(300_000) } }, { sessionId })).status).toBe(413);
    expect((await postMcp(url, ping)).status).toBe(400);
    expect((await postMcp(url, ping, { headers: { 'mcp-session-id': 'unknown-session-id-000000' } })).status).toBe(404);
    expect((await postMcp(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { sessionId })).status).toBe(202);
    const put = await fetch(url, { method: 'PUT', headers: { 'mcp-session-id': sessionId } });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST, DELETE, OPTIONS']);
    expect((await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } })).status).toBe(204);
    expect((await postMcp(url, ping, { sessionId })).status).toBe(404);
    const fresh = await postMcp(url, initializeRequest(), { headers: { accept: MCP_ACCEPT } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('mcp-session-id')).toMatch(/^[\x21-\x7e]+$/);
  });
});
