import { Test } from '@nestjs/testing';
import { McpModule, MemorySessionHost, McpRegistry } from '@nest-mcp/mcp';
import { serve, startApp, type RunningApp } from './support/app.js';
import { Gate } from './support/gated-tools.js';
import { initializeRequest, postMcp, SseReader } from './support/http.js';
import { callModern, postModern, readAnswer } from './support/modern-http.js';
import { ModernTools } from './support/modern-tools.js';
import { RecordingLogger } from './support/recording-logger.js';
import { SwitchableSessionHost } from './support/switchable-host.js';

const SECRET = 'shared-by-every-instance-0123456789abcdef';
const ELICITATION = { elicitation: {} };

describe('2026-07-28 options', () => {
  const apps: RunningApp[] = [];
  const start = async (options: Parameters<typeof McpModule.forRoot>[0]) => {
    const running = await startApp({ imports: [McpModule.forRoot(options)], providers: [Gate, ModernTools] });
    apps.push(running);
    return { running, url: `${running.baseUrl}/mcp` };
  };

  afterEach(async () => {
    for (const running of apps.splice(0)) await running.close();
  });

  describe('protocolVersions', () => {
    it('serves sessions only without 2026-07-28: a stateless request gets -32022 listing the 2025 revisions', async () => {
      const { url } = await start({ name: 'legacy-only', version: '1.0.0', protocolVersions: ['2025-11-25', '2025-06-18'] });
      const response = await postModern(url, 'tools/list');
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error).toMatchObject({
        code: -32022,
        data: { supported: ['2025-11-25', '2025-06-18'], requested: '2026-07-28' },
      });
      const initialize = await postMcp(url, initializeRequest('2025-03-26'));
      expect(((await initialize.json()) as any).result.protocolVersion).toBe('2025-11-25');
    });

    it('serves stateless requests only without 2025 revisions: initialize gets -32022 naming 2026-07-28', async () => {
      const { url } = await start({ name: 'modern-only', version: '1.0.0', protocolVersions: ['2026-07-28'] });
      const initialize = await postMcp(url, initializeRequest());
      expect(initialize.status).toBe(400);
      expect(((await initialize.json()) as any).error).toMatchObject({
        code: -32022,
        message: expect.stringContaining('2026-07-28'),
        data: { supported: ['2026-07-28'], requested: '2025-11-25' },
      });
      expect((await callModern(url, 'server/discover')).response.result.supportedVersions).toEqual(['2026-07-28']);
    });

    it('refuses unknown revisions, a short requestStateSecret, and no secret in production', async () => {
      const build = (options: Parameters<typeof McpModule.forRoot>[0]) =>
        Test.createTestingModule({ imports: [McpModule.forRoot(options)] }).compile();
      await expect(build({ name: 'x', version: '1', protocolVersions: ['2024-11-05' as never] })).rejects.toThrow('protocolVersions');
      await expect(build({ name: 'x', version: '1', requestStateSecret: 'short' })).rejects.toThrow('at least 32 bytes');
      const environment = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        await expect(build({ name: 'x', version: '1' })).rejects.toThrow('"requestStateSecret" is required in production');
        const legacyOnly = await build({ name: 'x', version: '1', protocolVersions: ['2025-11-25'] });
        await legacyOnly.close();
      } finally {
        process.env.NODE_ENV = environment;
      }
    });

    it('warns about a missing requestStateSecret only where other processes could get the retry', async () => {
      const warningsWith = async (options: Partial<Parameters<typeof McpModule.forRoot>[0]>) => {
        const logger = new RecordingLogger();
        const moduleRef = await Test.createTestingModule({
          imports: [McpModule.forRoot({ name: 'x', version: '1', ...options })],
        }).compile();
        const app = moduleRef.createNestApplication({ logger });
        await app.init();
        await app.close();
        return logger.warnings.filter((warning) => warning.includes('requestStateSecret'));
      };
      // The memory host serves one process: every retry comes back to the key that sealed the state.
      expect(await warningsWith({})).toEqual([]);
      const sharedHost = new SwitchableSessionHost();
      expect(await warningsWith({ sessionHost: sharedHost })).toEqual([
        expect.stringContaining('No requestStateSecret: 2026-07-28 requestState is sealed with a random key of this process'),
      ]);
      expect(await warningsWith({ sessionHost: sharedHost, requestStateSecret: SECRET })).toEqual([]);
      expect(await warningsWith({ sessionHost: sharedHost, protocolVersions: ['2025-11-25'] })).toEqual([]);
    });
  });

  it('answers -32601 for the lists of features the server does not have', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [McpModule.forRoot({ name: 'empty', version: '1.0.0' })] }).compile();
    const running = await serve(moduleRef.createNestApplication({ logger: ['error'] }));
    apps.push(running);
    const url = `${running.baseUrl}/mcp`;
    for (const method of ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']) {
      const response = await postModern(url, method);
      expect([method, response.status]).toEqual([method, 404]);
      await response.text();
    }
    running.app.get(McpRegistry).addTool({ name: 'late', description: 'Added at run time.', handler: () => 'late' });
    expect((await callModern(url, 'tools/list')).response.result.tools.map((tool: { name: string }) => tool.name)).toEqual(['late']);
  });

  describe('subscriptions/listen', () => {
    it('refuses a listen beyond maxListens with 503 and Retry-After', async () => {
      const { url } = await start({ name: 'few-listens', version: '1.0.0', maxListens: 1 });
      const controller = new AbortController();
      const first = new SseReader(await postModern(url, 'subscriptions/listen', { notifications: {} }, { signal: controller.signal }));
      expect((await first.nextMessage())?.message.method).toBe('notifications/subscriptions/acknowledged');
      const second = await postModern(url, 'subscriptions/listen', { notifications: {} });
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('5');
      await second.text();
      controller.abort();
    });

    it('ends every listen with a complete result tagged with its id when the app closes', async () => {
      const { running, url } = await start({ name: 'closing', version: '1.0.0', sseKeepaliveMs: 0 });
      const reader = new SseReader(
        await postModern(url, 'subscriptions/listen', { notifications: { toolsListChanged: true } }, { id: 'bye' }),
      );
      expect((await reader.nextMessage())?.message.method).toBe('notifications/subscriptions/acknowledged');
      const closing = running.close();
      apps.splice(apps.indexOf(running), 1);
      expect((await reader.nextMessage())?.message).toEqual({
        jsonrpc: '2.0',
        id: 'bye',
        result: {
          resultType: 'complete',
          _meta: {
            'io.modelcontextprotocol/subscriptionId': 'bye',
            'io.modelcontextprotocol/serverInfo': { name: 'closing', version: '1.0.0' },
          },
        },
      });
      await reader.expectEnd();
      await closing;
    });
  });

  it('refuses a requestState once requestStateTtlMs has passed', async () => {
    const { url } = await start({ name: 'short-lived', version: '1.0.0', requestStateSecret: SECRET, requestStateTtlMs: 200 });
    const asked = (await callModern(url, 'tools/call', { name: 'greet', arguments: {} }, { capabilities: ELICITATION })).response.result;
    await new Promise((resolve) => setTimeout(resolve, 400));
    const late = await callModern(
      url,
      'tools/call',
      {
        name: 'greet',
        arguments: {},
        inputResponses: { elicitation_1: { action: 'accept', content: { name: 'Late' } } },
        requestState: asked.requestState,
      },
      { capabilities: ELICITATION },
    );
    expect(late.response.error).toMatchObject({ code: -32602, message: expect.stringContaining('expired') });
  });

  describe('two instances on one memory host (two apps in one process)', () => {
    const pair = async (secretA: string | undefined, secretB: string | undefined) => {
      const sessionHost = new MemorySessionHost();
      const a = await start({ name: 'a', version: '1.0.0', sessionHost, requestStateSecret: secretA, sseKeepaliveMs: 0 });
      const b = await start({ name: 'b', version: '1.0.0', sessionHost, requestStateSecret: secretB, sseKeepaliveMs: 0 });
      return { a, b, close: () => sessionHost.close() };
    };

    it('completes a request on B that was asked on A, and refuses to redeem its state twice anywhere', async () => {
      const { a, b, close } = await pair(SECRET, SECRET);
      try {
        const asked = (await callModern(a.url, 'tools/call', { name: 'greet', arguments: {} }, { capabilities: ELICITATION })).response
          .result;
        const retry = {
          name: 'greet',
          arguments: {},
          inputResponses: { elicitation_1: { action: 'accept', content: { name: 'Bo' } } },
          requestState: asked.requestState,
        };
        const onB = (await callModern(b.url, 'tools/call', retry, { capabilities: ELICITATION })).response.result;
        expect(onB.inputRequests.elicitation_2.params.message).toBe('How are you, Bo?');
        const replayOnA = (await callModern(a.url, 'tools/call', retry, { capabilities: ELICITATION })).response;
        expect(replayOnA.error).toMatchObject({ code: -32602, message: expect.stringContaining('already used') });
      } finally {
        await close();
      }
    });

    it('cannot open on B the state A sealed with a different secret', async () => {
      const { a, b, close } = await pair(SECRET, undefined);
      try {
        const asked = (await callModern(a.url, 'tools/call', { name: 'greet', arguments: {} }, { capabilities: ELICITATION })).response
          .result;
        const answer = await readAnswer(
          await postModern(
            b.url,
            'tools/call',
            {
              name: 'greet',
              arguments: {},
              inputResponses: { elicitation_1: { action: 'accept', content: { name: 'Bo' } } },
              requestState: asked.requestState,
            },
            { capabilities: ELICITATION },
          ),
        );
        expect(answer.response.error.message).toContain('another requestStateSecret');
      } finally {
        await close();
      }
    });

    it('delivers a list change made on B to a listen held by A', async () => {
      const { a, b, close } = await pair(SECRET, SECRET);
      try {
        const controller = new AbortController();
        const reader = new SseReader(
          await postModern(a.url, 'subscriptions/listen', { notifications: { toolsListChanged: true } }, { signal: controller.signal }),
        );
        expect((await reader.nextMessage())?.message.method).toBe('notifications/subscriptions/acknowledged');
        b.running.app.get(McpRegistry).addTool({ name: 'only_on_b', description: 'Added on B.', handler: () => 'b' });
        expect((await reader.nextMessage())?.message).toEqual({
          jsonrpc: '2.0',
          method: 'notifications/tools/list_changed',
          params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 1 } },
        });
        controller.abort();
      } finally {
        await close();
      }
    });
  });
});
