import { McpModule } from '@nest-mcp/mcp';
import { startApp, type RunningApp } from './support/app.js';
import { Gate } from './support/gated-tools.js';
import { MCP_ACCEPT, openSession, postMcp, SseReader } from './support/http.js';
import { callModern, modernBody, modernHeaders, MODERN_VERSION, postModern, postRaw, readAnswer } from './support/modern-http.js';
import { ModernTools } from './support/modern-tools.js';
import { principalFromTestHeader } from './support/test-principal.js';

const SECRET = 'modern-http-test-secret-0123456789abcdef';
const SERVER_INFO = { 'io.modelcontextprotocol/serverInfo': { name: 'modern-http', version: '2.0.0' } };

/** 2026-07-28 over raw HTTP: every header rule and error code, caching hints, MRTR state, listen, cancellation. */
describe('MCP 2026-07-28 over HTTP', () => {
  let running: RunningApp;
  let url: string;
  let gate: Gate;
  let tools: ModernTools;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        McpModule.forRoot({
          name: 'modern-http',
          version: '2.0.0',
          instructions: 'Test server.',
          requestStateSecret: SECRET,
          cache: { ttlMs: 5_000, scope: 'public' },
          resolvePrincipal: principalFromTestHeader,
          sseKeepaliveMs: 0,
        }),
      ],
      providers: [Gate, ModernTools],
    });
    url = `${running.baseUrl}/mcp`;
    gate = running.app.get(Gate);
    tools = running.app.get(ModernTools);
  });

  afterAll(() => running.close());

  const expectError = async (response: Response, status: number, code: number, id: number | string | null = 1) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string; data?: unknown } };
    expect(body).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
    expect(body.error.message.length).toBeGreaterThan(10);
    return body.error;
  };

  describe('per-request metadata', () => {
    it('answers 400 / -32602 with the request id when _meta or a required field of it is missing', async () => {
      const headers = modernHeaders({ method: 'tools/list' });
      for (const meta of [
        undefined,
        { 'io.modelcontextprotocol/clientCapabilities': {} },
        { 'io.modelcontextprotocol/protocolVersion': MODERN_VERSION },
        { 'io.modelcontextprotocol/protocolVersion': MODERN_VERSION, 'io.modelcontextprotocol/clientCapabilities': [] },
      ]) {
        const body = { jsonrpc: '2.0', id: 'req-7', method: 'tools/list', params: meta === undefined ? {} : { _meta: meta } };
        const error = await expectError(await postRaw(url, body, headers), 400, -32602, 'req-7');
        expect(error.message).toContain('io.modelcontextprotocol/');
      }
    });

    it('treats a modern version header without the _meta envelope as a malformed modern request', async () => {
      const response = await postRaw(url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, modernHeaders({ method: 'tools/list' }));
      await expectError(response, 400, -32602, 3);
    });

    it('refuses a malformed clientInfo or logLevel with -32602', async () => {
      await expectError(
        await postModern(url, 'tools/list', {}, { meta: { 'io.modelcontextprotocol/clientInfo': { name: 1 } } }),
        400,
        -32602,
      );
      await expectError(await postModern(url, 'tools/list', {}, { meta: { 'io.modelcontextprotocol/logLevel': 'loud' } }), 400, -32602);
    });

    it('accepts a request without clientInfo, and stamps resultType and serverInfo on every result', async () => {
      const answer = await callModern(
        url,
        'tools/call',
        { name: 'echo', arguments: { text: 'hi' } },
        { meta: { 'io.modelcontextprotocol/clientInfo': null } },
      );
      expect(answer.status).toBe(200);
      expect(answer.response).toEqual({
        jsonrpc: '2.0',
        id: 1,
        result: { content: [{ type: 'text', text: 'modern:hi' }], resultType: 'complete', _meta: SERVER_INFO },
      });
    });

    it('answers -32022 naming every served revision for an unsupported version', async () => {
      const body = modernBody('tools/list', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } });
      const response = await postRaw(url, body, { ...modernHeaders(body), 'mcp-protocol-version': '2099-01-01' });
      const error = await expectError(response, 400, -32022);
      expect(error.data).toEqual({ supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'], requested: '2099-01-01' });
    });

    it('answers -32022 to a 2025 revision declared in _meta, pointing at initialize', async () => {
      const body = modernBody('tools/list', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } });
      const error = await expectError(
        await postRaw(url, body, { ...modernHeaders(body), 'mcp-protocol-version': '2025-11-25' }),
        400,
        -32022,
      );
      expect(error.message).toContain('initialize');
    });
  });

  describe('header validation', () => {
    const call = (params: Record<string, unknown>, headers: Record<string, string | undefined>) =>
      postModern(url, 'tools/call', params, { headers });

    it('refuses an MCP-Protocol-Version header that differs from _meta, or is missing, with -32020', async () => {
      const body = modernBody('tools/list', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } });
      await expectError(await postRaw(url, body, modernHeaders(body)), 400, -32020);
      await expectError(await postModern(url, 'tools/list', {}, { headers: { 'mcp-protocol-version': undefined } }), 400, -32020);
    });

    it('requires Mcp-Method equal to the method, compared case-sensitively', async () => {
      for (const value of [undefined, 'prompts/list', 'TOOLS/LIST']) {
        const error = await expectError(await postModern(url, 'tools/list', {}, { headers: { 'mcp-method': value } }), 400, -32020);
        expect(error.message).toContain('Mcp-Method');
      }
      const upperName = await postRaw(url, modernBody('tools/list'), {
        'MCP-METHOD': 'tools/list',
        'Mcp-Protocol-Version': MODERN_VERSION,
      });
      expect(upperName.status).toBe(200);
      await upperName.text();
    });

    it('requires Mcp-Name on tools/call, resources/read and prompts/get, equal to the body', async () => {
      await expectError(await call({ name: 'echo', arguments: { text: 'x' } }, { 'mcp-name': undefined }), 400, -32020);
      await expectError(await call({ name: 'echo', arguments: { text: 'x' } }, { 'mcp-name': 'other' }), 400, -32020);
      await expectError(
        await postModern(url, 'resources/read', { uri: 'notes://plain' }, { headers: { 'mcp-name': 'notes://cached' } }),
        400,
        -32020,
      );
      await expectError(await postModern(url, 'prompts/get', { name: 'intro' }, { headers: { 'mcp-name': undefined } }), 400, -32020);
    });

    it('decodes =?base64?…?= values and refuses bad Base64 or characters a header cannot carry', async () => {
      const encoded = `=?base64?${Buffer.from('echo').toString('base64')}?=`;
      const ok = await readAnswer(await call({ name: 'echo', arguments: { text: 'b64' } }, { 'mcp-name': encoded }));
      expect(ok.response.result.content).toEqual([{ type: 'text', text: 'modern:b64' }]);
      await expectError(await call({ name: 'echo', arguments: { text: 'x' } }, { 'mcp-name': '=?base64?ZWNobw?=' }), 400, -32020);
      await expectError(await call({ name: 'echo', arguments: { text: 'x' } }, { 'mcp-name': '=?base64?ec!o=?=' }), 400, -32020);
    });

    it('checks Mcp-Param-* headers both ways: present with the value, absent without one', async () => {
      const args = { region: 'eu-west', shard: 42, dryRun: true, target: { zone: 'b' } };
      const headers = { 'mcp-param-region': 'eu-west', 'mcp-param-shard': '42.0', 'mcp-param-dry-run': 'true', 'mcp-param-zone': 'b' };
      const ok = await readAnswer(await call({ name: 'locate', arguments: args }, headers));
      expect(JSON.parse(ok.response.result.content[0].text)).toEqual(args);
      const unicode = await readAnswer(
        await call(
          { name: 'locate', arguments: { region: 'Köln, 世界' } },
          { 'mcp-param-region': `=?base64?${Buffer.from('Köln, 世界').toString('base64')}?=` },
        ),
      );
      expect(unicode.response.result.isError).toBeUndefined();

      for (const [extra, why] of [
        [{ 'mcp-param-region': undefined }, 'missing'],
        [{ 'mcp-param-region': 'us-east' }, 'different'],
        [{ 'mcp-param-shard': '41' }, 'different number'],
        [{ 'mcp-param-dry-run': 'TRUE' }, 'boolean spelled otherwise'],
      ] as const) {
        const error = await expectError(await call({ name: 'locate', arguments: args }, { ...headers, ...extra }), 400, -32020);
        expect([why, error.message]).toEqual([why, expect.stringContaining('Mcp-Param-')]);
      }
      const stray = await call({ name: 'locate', arguments: { region: 'eu' } }, { 'mcp-param-region': 'eu', 'mcp-param-shard': '1' });
      expect((await expectError(stray, 400, -32020)).message).toContain('absent');
    });

    it('leaves Mcp-Param-* checks to dispatch for an unknown tool (-32602)', async () => {
      const answer = await readAnswer(await call({ name: 'nope', arguments: {} }, {}));
      expect(answer.response.error).toMatchObject({ code: -32602, message: 'Unknown tool: nope' });
    });
  });

  describe('methods', () => {
    it('answers 404 / -32601 to unknown methods and to those 2026-07-28 removed', async () => {
      for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'no/such']) {
        const error = await expectError(await postModern(url, method), 404, -32601);
        expect(error.message).toContain(method);
      }
    });

    it('serves server/discover with every served revision, the capabilities and the module caching hints', async () => {
      const answer = await callModern(url, 'server/discover');
      expect(answer.response.result).toEqual({
        supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'],
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          logging: {},
        },
        instructions: 'Test server.',
        ttlMs: 5_000,
        cacheScope: 'public',
        resultType: 'complete',
        _meta: SERVER_INFO,
      });
    });

    it('answers -32601 to a method whose capability is not advertised (no completions here)', async () => {
      const params = { ref: { type: 'ref/prompt', name: 'intro' }, argument: { name: 'x', value: '' } };
      expect((await expectError(await postModern(url, 'completion/complete', params), 404, -32601)).message).toContain('completions');
    });

    it('answers a missing resource with -32602 and the URI in data', async () => {
      const answer = await callModern(url, 'resources/read', { uri: 'notes://missing' });
      expect(answer.response.error).toEqual({
        code: -32602,
        message: 'Resource not found: notes://missing',
        data: { uri: 'notes://missing' },
      });
    });

    it('answers 400 / -32021 with data.requiredCapabilities when a handler needs an undeclared capability', async () => {
      const error = await expectError(await postModern(url, 'tools/call', { name: 'needs_sampling', arguments: {} }), 400, -32021);
      expect(error.data).toEqual({ requiredCapabilities: { sampling: {} } });
    });

    it('ignores Mcp-Session-Id and Last-Event-ID, and mints no session', async () => {
      const response = await postModern(url, 'tools/list', {}, { headers: { 'mcp-session-id': 'made-up', 'last-event-id': 'x.1' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('mcp-session-id')).toBeNull();
      await response.text();
    });

    it('takes notifications with 202 and refuses JSON-RPC responses and batches', async () => {
      const cancelled = {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: 1, _meta: modernBody('x').params._meta },
      };
      expect((await postRaw(url, cancelled, { 'mcp-protocol-version': MODERN_VERSION })).status).toBe(202);
      await expectError(
        await postRaw(url, { jsonrpc: '2.0', id: 4, result: {} }, { 'mcp-protocol-version': MODERN_VERSION }),
        400,
        -32600,
        null,
      );
      await expectError(await postRaw(url, [modernBody('tools/list')], modernHeaders({ method: 'tools/list' })), 400, -32600, null);
    });

    it('answers GET and DELETE of a 2026-07-28 client with 405', async () => {
      for (const method of ['GET', 'DELETE']) {
        const response = await fetch(url, { method, headers: { accept: MCP_ACCEPT, 'mcp-protocol-version': MODERN_VERSION } });
        expect(response.status).toBe(405);
        await response.text();
      }
    });

    it('serves 2025 sessions on the same endpoint at the same time', async () => {
      const sessionId = await openSession(url);
      const legacy = await postMcp(
        url,
        { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'echo', arguments: { text: 'old' } } },
        { sessionId },
      );
      expect(((await legacy.json()) as any).result).toEqual({ content: [{ type: 'text', text: 'legacy:old' }] });
      const modern = await callModern(url, 'tools/call', { name: 'echo', arguments: { text: 'new' } });
      expect(modern.response.result.content).toEqual([{ type: 'text', text: 'modern:new' }]);
    });
  });

  describe('caching hints', () => {
    it('puts ttlMs and cacheScope on every list, the same on every page, in a stable order', async () => {
      const tools = await callModern(url, 'tools/list');
      expect(tools.response.result).toMatchObject({ ttlMs: 5_000, cacheScope: 'private', resultType: 'complete' });
      const names = tools.response.result.tools.map((tool: { name: string }) => tool.name);
      expect(names).toEqual([...names].sort());
      expect((await callModern(url, 'tools/list')).response.result.tools.map((tool: { name: string }) => tool.name)).toEqual(names);
      // One item overrides: the list is as fresh as its least fresh item, public since all are.
      expect((await callModern(url, 'resources/list')).response.result).toMatchObject({ ttlMs: 5_000, cacheScope: 'public' });
      expect((await callModern(url, 'resources/templates/list')).response.result).toMatchObject({ ttlMs: 5_000, cacheScope: 'public' });
      expect((await callModern(url, 'prompts/list')).response.result).toMatchObject({ ttlMs: 5_000, cacheScope: 'public' });
    });

    it('uses the item override on resources/read, else the module default; tools/call has none', async () => {
      expect((await callModern(url, 'resources/read', { uri: 'notes://cached' })).response.result).toMatchObject({
        ttlMs: 60_000,
        cacheScope: 'public',
      });
      expect((await callModern(url, 'resources/read', { uri: 'notes://plain' })).response.result).toMatchObject({
        ttlMs: 5_000,
        cacheScope: 'public',
      });
      const call = (await callModern(url, 'tools/call', { name: 'echo', arguments: { text: 'x' } })).response.result;
      expect(call.ttlMs).toBeUndefined();
    });

    it('adds no caching hints to 2025 results', async () => {
      const sessionId = await openSession(url);
      const response = await postMcp(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { sessionId });
      expect(Object.keys(((await response.json()) as any).result)).toEqual(['tools']);
    });
  });

  describe('logging, progress and cancellation', () => {
    it('sends notifications/message only at or above the logLevel the request asks for, progress only with a token', async () => {
      const quiet = await callModern(url, 'tools/call', { name: 'chatty', arguments: {} });
      expect(quiet.notifications).toEqual([]);
      expect(quiet.contentType).toBe('application/json');

      const loud = await callModern(
        url,
        'tools/call',
        { name: 'chatty', arguments: {} },
        {
          meta: { progressToken: 'p1', 'io.modelcontextprotocol/logLevel': 'info' },
        },
      );
      expect(loud.contentType).toBe('text/event-stream');
      expect(loud.notifications).toEqual([
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 1, total: 2 } },
        { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'warning', data: 'warning line' } },
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 2, total: 2 } },
      ]);
      expect(loud.response.result).toMatchObject({ content: [{ type: 'text', text: 'chatted' }], resultType: 'complete' });
    });

    it('cancels the handler when the client closes the response stream, and sends nothing more', async () => {
      const controller = new AbortController();
      const response = await postModern(
        url,
        'tools/call',
        { name: 'hold', arguments: { key: 'cancel-me' } },
        {
          meta: { progressToken: 1 },
          signal: controller.signal,
        },
      );
      const reader = new SseReader(response);
      expect((await reader.nextMessage())?.message.method).toBe('notifications/progress');
      await gate.reached('cancel-me');
      controller.abort();
      await waitFor(() => gate.aborted.has('cancel-me'));
    });
  });

  describe('multi round-trip requests', () => {
    const call = (
      name: string,
      extra: Record<string, unknown> = {},
      options: { user?: string; capabilities?: Record<string, unknown> } = {},
    ) =>
      callModern(
        url,
        'tools/call',
        { name, arguments: {}, ...extra },
        {
          capabilities: options.capabilities ?? { elicitation: {}, sampling: {}, roots: {} },
          headers: options.user ? { 'x-test-user': options.user } : {},
        },
      );

    it('ends a round with input_required, and the retry with the answers completes it, round by round', async () => {
      const first = (await call('greet')).response.result;
      expect(first).toEqual({
        resultType: 'input_required',
        inputRequests: {
          elicitation_1: {
            method: 'elicitation/create',
            params: { message: 'Your name?', requestedSchema: expect.objectContaining({ type: 'object', required: ['name'] }) },
          },
        },
        requestState: expect.stringMatching(/^v1\./),
        _meta: SERVER_INFO,
      });
      const second = (
        await call('greet', {
          inputResponses: { elicitation_1: { action: 'accept', content: { name: 'Ada' } } },
          requestState: first.requestState,
        })
      ).response.result;
      expect(second.resultType).toBe('input_required');
      expect(Object.keys(second.inputRequests)).toEqual(['elicitation_2']);
      expect(second.inputRequests.elicitation_2.params.message).toBe('How are you, Ada?');
      expect(second.requestState).not.toBe(first.requestState);
      const done = (
        await call('greet', {
          inputResponses: { elicitation_2: { action: 'accept', content: { mood: 'great' } } },
          requestState: second.requestState,
        })
      ).response.result;
      expect(done).toEqual({
        content: [{ type: 'text', text: 'Hello Ada, glad you feel great.' }],
        resultType: 'complete',
        _meta: SERVER_INFO,
      });
    });

    it('asks several questions in one round with ctx.requestInputs', async () => {
      const first = (await call('survey')).response.result;
      expect(Object.keys(first.inputRequests).sort()).toEqual(['model', 'roots', 'who']);
      expect(first.inputRequests.roots).toEqual({ method: 'roots/list', params: {} });
      const inputResponses = {
        who: { action: 'accept', content: { name: 'Lin' } },
        model: { role: 'assistant', content: { type: 'text', text: 'teal' }, model: 'test' },
        roots: { roots: [{ uri: 'file:///work' }] },
      };
      const done = (await call('survey', { inputResponses, requestState: first.requestState })).response.result;
      expect(done.content).toEqual([{ type: 'text', text: 'Lin / teal / file:///work' }]);
    });

    it('serves input_required on prompts/get and resources/read too', async () => {
      const prompt = (await callModern(url, 'prompts/get', { name: 'intro' }, { capabilities: { elicitation: {} } })).response.result;
      expect(prompt.resultType).toBe('input_required');
      const promptDone = await callModern(
        url,
        'prompts/get',
        {
          name: 'intro',
          inputResponses: { elicitation_1: { action: 'accept', content: { topic: 'tides' } } },
          requestState: prompt.requestState,
        },
        { capabilities: { elicitation: {} } },
      );
      expect(promptDone.response.result.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Talk about tides.' } }]);

      const read = (await callModern(url, 'resources/read', { uri: 'notes://asking/7' }, { capabilities: { elicitation: {} } })).response
        .result;
      expect(read).toMatchObject({ resultType: 'input_required' });
      expect(read.ttlMs).toBeUndefined();
      const readDone = await callModern(
        url,
        'resources/read',
        {
          uri: 'notes://asking/7',
          inputResponses: { elicitation_1: { action: 'accept', content: { ok: true } } },
          requestState: read.requestState,
        },
        { capabilities: { elicitation: {} } },
      );
      expect(readDone.response.result.contents).toEqual([{ uri: 'notes://asking/7', mimeType: 'text/plain', text: 'secret 7' }]);
    });

    it('refuses a tampered, replayed, foreign, other-request and malformed requestState with -32602', async () => {
      const asked = (await call('greet', {}, { user: 'alice' })).response.result;
      const answer = { inputResponses: { elicitation_1: { action: 'accept', content: { name: 'Al' } } } };
      const failure = async (extra: Record<string, unknown>, user = 'alice') => {
        const { response } = await call('greet', { ...answer, ...extra }, { user });
        expect(response.error).toMatchObject({ code: -32602 });
        return response.error.message as string;
      };
      const state = asked.requestState as string;
      const flipped = state.slice(0, -2) + (state.at(-2) === 'A' ? 'B' : 'A') + state.at(-1);
      expect(await failure({ requestState: flipped })).toContain('integrity');
      expect(await failure({ requestState: `${state}-TAMPERED` })).toContain('integrity');
      expect(await failure({ requestState: 42 })).toContain('requestState');
      expect(await failure({ requestState: state }, 'mallory')).toContain('another caller');
      const otherRequest = await callModern(
        url,
        'tools/call',
        { name: 'greet', arguments: { extra: 1 }, ...answer, requestState: state },
        {
          capabilities: { elicitation: {} },
          headers: { 'x-test-user': 'alice' },
        },
      );
      expect(otherRequest.response.error.message).toContain('different request');

      const next = await call('greet', { ...answer, requestState: state }, { user: 'alice' });
      expect(next.response.result.resultType).toBe('input_required');
      expect(await failure({ requestState: state })).toContain('already used');
      expect(await failure({ inputResponses: null, requestState: undefined })).toContain('inputResponses');
    });

    it('refuses an answer that is not a result of the question asked', async () => {
      const { response } = await call('greet', { inputResponses: { elicitation_1: 12345 } });
      expect(response.error).toMatchObject({
        code: -32602,
        message: 'inputResponses.elicitation_1 is not a valid elicitation/create result.',
      });
    });

    it('asks again for what the retry left unanswered, and ignores answers it did not ask for', async () => {
      const first = (await call('greet')).response.result;
      const again = (
        await call('greet', { inputResponses: { unrelated: { action: 'accept', content: {} } }, requestState: first.requestState })
      ).response.result;
      expect(again.resultType).toBe('input_required');
      expect(Object.keys(again.inputRequests)).toEqual(['elicitation_1']);
    });

    it('asks only for what the client declared, and answers -32021 for the rest', async () => {
      const { response } = await call('greet', {}, { capabilities: { sampling: {} } });
      expect(response.error).toEqual({
        code: -32021,
        message: expect.stringContaining('"elicitation"'),
        data: { requiredCapabilities: { elicitation: {} } },
      });
    });

    it('replays the handler from the start on each round (code before a question runs again)', async () => {
      const before = tools.runs.get('greet') ?? 0;
      const first = (await call('greet')).response.result;
      await call('greet', { inputResponses: { elicitation_1: { action: 'decline' } }, requestState: first.requestState });
      expect((tools.runs.get('greet') ?? 0) - before).toBe(2);
    });
  });

  describe('subscriptions/listen', () => {
    const listen = (notifications: Record<string, unknown>, id: number | string = 'listen-1', signal?: AbortSignal) =>
      postModern(url, 'subscriptions/listen', { notifications }, { id, signal });

    it('acknowledges first with the honoured filter, then tags only the notifications asked for', async () => {
      const controller = new AbortController();
      const tools = new SseReader(
        await listen({ toolsListChanged: true, resourceSubscriptions: ['notes://plain'], bogusKind: true }, 'l-tools', controller.signal),
      );
      const prompts = new SseReader(await listen({ promptsListChanged: true }, 7, controller.signal));
      const tag = (id: string | number) => ({ 'io.modelcontextprotocol/subscriptionId': id });
      expect((await tools.nextMessage())?.message).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['notes://plain'] }, _meta: tag('l-tools') },
      });
      expect((await prompts.nextMessage())?.message.params).toEqual({ notifications: { promptsListChanged: true }, _meta: tag(7) });

      const events = running.app.get((await import('@nest-mcp/mcp')).McpSessionEvents);
      await events.notifyResourceUpdated('notes://other');
      await events.notifyResourceUpdated('notes://plain');
      await events.notifyAll({ method: 'notifications/tools/list_changed' });
      expect((await tools.nextMessage())?.message).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'notes://plain', _meta: tag('l-tools') },
      });
      expect((await tools.nextMessage())?.message).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/tools/list_changed',
        params: { _meta: tag('l-tools') },
      });
      await events.notifyAll({ method: 'notifications/prompts/list_changed' });
      expect((await prompts.nextMessage())?.message).toEqual({
        jsonrpc: '2.0',
        method: 'notifications/prompts/list_changed',
        params: { _meta: tag(7) },
      });
      controller.abort();
    });

    it('refuses a filter that is not an object with -32602', async () => {
      const { response } = await readAnswer(await listen(undefined as never));
      expect(response.error).toMatchObject({ code: -32602 });
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
