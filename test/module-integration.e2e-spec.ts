import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Catch,
  HttpException,
  Injectable,
  Module,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { McpModule, McpRegistrationError, McpSessionEvents, McpTool, MemorySessionHost, type McpSessionEvent } from '@nest-mcp/mcp';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { Gate, GatedTools } from './support/gated-tools.js';
import { startApp } from './support/app.js';
import { initializeRequest, openSession, postMcp } from './support/http.js';
import { SwitchableSessionHost } from './support/switchable-host.js';

/** A host-app guard: lets a request in only with `x-api-key: let-me-in`, and names the user from `x-user`. */
@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    if (request.headers['x-user']) request.user = { sub: request.headers['x-user'], iss: 'https://id.test' };
    return request.headers['x-api-key'] === 'let-me-in';
  }
}

const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };

describe('McpModule in a host app', () => {
  it("applies the app's global guard to the endpoint", async () => {
    const running = await startApp({
      imports: [McpModule.forRoot({ name: 'guarded', version: '1.0.0' })],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
    });
    try {
      const url = `${running.baseUrl}/mcp`;
      const refused = await postMcp(url, initializeRequest());
      expect(refused.status).toBe(403);
      const admitted = await postMcp(url, initializeRequest(), { headers: { 'x-api-key': 'let-me-in' } });
      expect(admitted.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it("runs the app's global interceptors and exception filters on the endpoint", async () => {
    @Injectable()
    class StampInterceptor implements NestInterceptor {
      intercept(context: ExecutionContext, next: CallHandler) {
        context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>().setHeader('x-intercepted', 'yes');
        return next.handle();
      }
    }
    @Catch(HttpException)
    class EnvelopeFilter implements ExceptionFilter {
      catch(exception: HttpException, host: ArgumentsHost) {
        host
          .switchToHttp()
          .getResponse<{ status(code: number): { json(body: unknown): void } }>()
          .status(exception.getStatus())
          .json({ wrapped: exception.getResponse() });
      }
    }
    const running = await startApp({
      imports: [McpModule.forRoot({ name: 'pipeline', version: '1.0.0' })],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: StampInterceptor },
        { provide: APP_FILTER, useClass: EnvelopeFilter },
      ],
    });
    try {
      const url = `${running.baseUrl}/mcp`;
      const ok = await postMcp(url, initializeRequest());
      expect([ok.status, ok.headers.get('x-intercepted')]).toEqual([200, 'yes']);
      const unknown = await postMcp(url, ping, { headers: { 'mcp-session-id': 'no-such-session-000000000' } });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        wrapped: { jsonrpc: '2.0', id: 1, error: { code: -32001, message: expect.stringContaining('Session not found') } },
      });
    } finally {
      await running.close();
    }
  });

  it('moves with the global prefix, and still reads large bodies itself there', async () => {
    const running = await startApp({ imports: [McpModule.forRoot({ name: 'prefixed', version: '1.0.0' })] }, (app) =>
      app.setGlobalPrefix('api/v1'),
    );
    try {
      expect((await postMcp(`${running.baseUrl}/mcp`, initializeRequest())).status).toBe(404);
      const url = `${running.baseUrl}/api/v1/mcp`;
      const sessionId = await openSession(url);
      const big = { ...ping, params: { _meta: { pad: 'p'.repeat(500_000) } } };
      const response = await postMcp(url, big, { sessionId });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    } finally {
      await running.close();
    }
  });

  it('serves at a custom path given to forRoot', async () => {
    const running = await startApp({ imports: [McpModule.forRoot({ name: 'custom', version: '1.0.0', path: '/agents/mcp' })] });
    try {
      const response = await postMcp(`${running.baseUrl}/agents/mcp`, initializeRequest());
      expect(response.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('takes its options from an async factory (forRootAsync) with injected config', async () => {
    @Injectable()
    class ServerConfig {
      readonly version = '7.7.7';
    }
    @Module({ providers: [ServerConfig], exports: [ServerConfig] })
    class ConfigModule {}

    const running = await startApp({
      imports: [
        McpModule.forRootAsync({
          path: '/async-mcp',
          imports: [ConfigModule],
          inject: [ServerConfig],
          useFactory: async (config: ServerConfig) => ({ name: 'async', version: config.version }),
        }),
      ],
      providers: [Gate, GatedTools],
    });
    const client = new Client({ name: 'async-test', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${running.baseUrl}/async-mcp`)));
      expect(client.getServerVersion()).toEqual({ name: 'async', version: '7.7.7' });
      expect((await client.listTools()).tools.length).toBeGreaterThan(3);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it('binds a session to the principal that created it: another principal gets 404', async () => {
    const running = await startApp({
      imports: [McpModule.forRoot({ name: 'principals', version: '1.0.0' })],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }, Gate, GatedTools],
    });
    try {
      const url = `${running.baseUrl}/mcp`;
      const alice = { 'x-api-key': 'let-me-in', 'x-user': 'alice' };
      const bob = { 'x-api-key': 'let-me-in', 'x-user': 'bob' };
      const sessionId = await openSession(url, { headers: alice });
      const whoami = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
      expect(await (await postMcp(url, whoami, { sessionId, headers: alice })).json()).toMatchObject({
        result: { content: [{ text: 'alice' }] },
      });
      for (const method of ['POST', 'GET', 'DELETE']) {
        const response =
          method === 'POST'
            ? await postMcp(url, whoami, { sessionId, headers: bob })
            : await fetch(url, { method, headers: { ...bob, accept: 'text/event-stream', 'mcp-session-id': sessionId } });
        expect(response.status).toBe(404);
        expect(await response.text()).not.toContain('alice');
      }
      const anonymous = await postMcp(url, whoami, { sessionId, headers: { 'x-api-key': 'let-me-in' } });
      expect(anonymous.status).toBe(404);
      expect((await postMcp(url, ping, { sessionId, headers: alice })).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('reports session lifecycle on events$: created, initialized, closed, expired', async () => {
    const running = await startApp({
      imports: [McpModule.forRoot({ name: 'events', version: '1.0.0', sessionIdleTtlMs: 200 })],
    });
    try {
      const events = running.app.get(McpSessionEvents);
      const url = `${running.baseUrl}/mcp`;
      const seen = firstValueFrom(events.events$.pipe(take(3), toArray()));
      const sessionId = await openSession(url);
      await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
      const lifecycle: McpSessionEvent[] = await seen;
      expect(lifecycle.map((event) => [event.type, event.sessionId])).toEqual([
        ['created', sessionId],
        ['initialized', sessionId],
        ['closed', sessionId],
      ]);
      expect(lifecycle[0].session).toMatchObject({ protocolVersion: '2025-11-25', clientInfo: { name: 'raw-http-test' } });

      const short = await openSession(url);
      const expired = firstValueFrom(events.events$.pipe(filter((event) => event.type === 'expired')));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const response = await postMcp(url, ping, { sessionId: short });
      expect(response.status).toBe(404);
      expect(await expired).toEqual({ type: 'expired', sessionId: short });
    } finally {
      await running.close();
    }
  });

  it('answers 503 with Retry-After while the session store is down, and recovers', async () => {
    const host = new SwitchableSessionHost();
    const running = await startApp({ imports: [McpModule.forRoot({ name: 'outage', version: '1.0.0', sessionHost: host })] });
    try {
      const url = `${running.baseUrl}/mcp`;
      const sessionId = await openSession(url);
      host.available = false;
      for (const response of [
        await postMcp(url, ping, { sessionId }),
        await postMcp(url, initializeRequest()),
        await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId } }),
        await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } }),
      ]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(await response.text()).not.toMatch(/stack|at .*\.js/);
      }
      host.available = true;
      expect((await postMcp(url, ping, { sessionId })).status).toBe(200);
    } finally {
      await running.close();
      await host.close();
    }
  });

  it('closes the memory host it created, but not one it was given', async () => {
    const given = new MemorySessionHost();
    const running = await startApp({ imports: [McpModule.forRoot({ name: 'owner', version: '1.0.0', sessionHost: given })] });
    const sessionId = await openSession(`${running.baseUrl}/mcp`);
    await running.close();
    expect(await given.getSession(sessionId)).toBeDefined();
    await given.close();
  });
});

describe('tool discovery at bootstrap', () => {
  const compile = async (providers: Array<new (...args: never[]) => unknown>): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'discovery', version: '1.0.0' })],
      providers,
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  };

  it('fails with a clear error naming both providers when two tools share a name', async () => {
    @Injectable()
    class NotesTools {
      @McpTool({ name: 'search', description: 'Search notes' })
      search() {
        return 'notes';
      }
    }
    @Injectable()
    class WebTools {
      @McpTool({ name: 'search', description: 'Search the web' })
      find() {
        return 'web';
      }
    }
    const attempt = compile([NotesTools, WebTools]);
    await expect(attempt).rejects.toThrow(McpRegistrationError);
    await expect(attempt).rejects.toThrow('Duplicate MCP tool name "search": declared by NotesTools.search and WebTools.find.');
  });

  it('rejects invalid tool names and non-object input schemas', async () => {
    @Injectable()
    class BadName {
      @McpTool({ name: 'has spaces', description: 'x' })
      run() {
        return '';
      }
    }
    await expect(compile([BadName])).rejects.toThrow(/BadName\.run: invalid tool name "has spaces"/);
    @Injectable()
    class BadSchema {
      @McpTool({ name: 'list_input', description: 'x', input: { type: 'array' } })
      run() {
        return '';
      }
    }
    await expect(compile([BadSchema])).rejects.toThrow(/BadSchema\.run: the input schema must describe an object/);
  });
});
