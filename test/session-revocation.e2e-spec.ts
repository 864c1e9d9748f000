import { randomUUID } from 'node:crypto';
import { AppInstance, startOnRedis } from './support/app-instances.js';
import { eventually } from './support/eventually.js';
import { McpModule, McpSessions } from '@nest-mcp/mcp';
import { startApp, type RunningApp } from './support/app.js';
import { initializeRequest, openSession, postMcp, SseReader } from './support/http.js';
import { principalFromTestHeader } from './support/test-principal.js';

const callTool = (name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: randomUUID(),
  method: 'tools/call',
  params: { name, arguments: args },
});

const as = (user: string) => ({ 'x-test-user': user });

/** Ending sessions from the app's own code (`McpSessions`), across three processes on one Redis. */
describe('revoking sessions on three instances sharing one Redis', () => {
  let instances: AppInstance[];
  let stop: () => Promise<void>;
  const [A, B, C] = [0, 1, 2];

  beforeAll(async () => {
    ({ instances, stop } = await startOnRedis(3, (env) => AppInstance.start(env), {
      MCP_REQUEST_STATE_SECRET: 'multi-instance-secret-0123456789abcdef',
      MCP_SESSIONS_PER_PRINCIPAL: '3',
    }));
  }, 60_000);

  afterAll(() => stop?.());

  const admin = async (instance: number, path: string, method = 'GET'): Promise<any> =>
    (await fetch(`http://127.0.0.1:${instances[instance].port}/instance/${path}`, { method })).json();

  const statusOf = async (instance: number, sessionId: string, user: string) => {
    const response = await postMcp(instances[instance].url, callTool('whoami'), { sessionId, headers: as(user) });
    await response.text();
    return response.status;
  };

  it("ends every session of a principal on every instance: 404 next, open streams ended, running requests cancelled; others' untouched", async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const [onA, onB] = [
      await openSession(instances[A].url, { headers: as(alice) }),
      await openSession(instances[B].url, { headers: as(alice) }),
    ];
    const bobs = await openSession(instances[C].url, { headers: as(bob) });

    const stream = await fetch(instances[A].url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': onA, 'mcp-protocol-version': '2025-11-25', ...as(alice) },
    });
    expect(stream.status).toBe(200);
    const marker = `revoked-${randomUUID()}`;
    const running = postMcp(instances[B].url, callTool('block', { marker }), { sessionId: onB, headers: as(alice) });
    await eventually(async () => expect((await instances[B].state()).started).toContain(marker));

    expect((await admin(C, 'sessions?subject=' + encodeURIComponent(alice))).map((session: { id: string }) => session.id).sort()).toEqual(
      [onA, onB].sort(),
    );
    expect(await admin(C, `sessions/end-all?subject=${encodeURIComponent(alice)}`, 'POST')).toEqual({ ended: 2 });

    for (const instance of [A, B, C]) {
      expect(await statusOf(instance, onA, alice)).toBe(404);
      expect(await statusOf(instance, onB, alice)).toBe(404);
    }
    const reader = new SseReader(stream);
    expect((await reader.next())?.data).toBe(''); // the priming event, then the end
    await reader.expectEnd();
    await eventually(async () => expect((await instances[B].state()).aborted).toContain(marker));
    await (await running).text().catch(() => undefined);

    expect(await statusOf(A, bobs, bob)).toBe(200);
    expect(await admin(A, `sessions?subject=${encodeURIComponent(alice)}`)).toEqual([]);
  });

  it('ends one session by id from any instance', async () => {
    const carol = `carol-${randomUUID()}`;
    const [kept, ended] = [
      await openSession(instances[A].url, { headers: as(carol) }),
      await openSession(instances[A].url, { headers: as(carol) }),
    ];
    expect(await admin(B, `sessions/${ended}/end`, 'POST')).toEqual({ ended: true });
    expect(await admin(C, `sessions/${ended}/end`, 'POST')).toEqual({ ended: false });
    expect(await statusOf(C, ended, carol)).toBe(404);
    expect(await statusOf(C, kept, carol)).toBe(200);
  });

  it("lists a principal's sessions with client, revision, creation and last activity", async () => {
    const dave = `dave-${randomUUID()}`;
    const before = Date.now();
    const sessionId = await openSession(instances[B].url, { headers: as(dave) });
    const [listed] = await admin(C, `sessions?subject=${encodeURIComponent(dave)}`);
    expect(listed).toEqual({
      id: sessionId,
      clientInfo: { name: 'raw-http-test', version: '1.0.0' },
      protocolVersion: '2025-11-25',
      createdAt: expect.any(Number),
      lastActiveAt: expect.any(Number),
    });
    expect(listed.createdAt).toBeGreaterThanOrEqual(before);
    expect(listed.lastActiveAt).toBeGreaterThanOrEqual(listed.createdAt);
  });

  it('keeps a principal to sessionsPerPrincipal.max: a new session ends the least recently active one', async () => {
    const erin = `erin-${randomUUID()}`;
    const first = await openSession(instances[A].url, { headers: as(erin) });
    const second = await openSession(instances[B].url, { headers: as(erin) });
    const third = await openSession(instances[C].url, { headers: as(erin) });
    const fourth = await openSession(instances[A].url, { headers: as(erin) });

    expect(await statusOf(B, first, erin)).toBe(404);
    for (const sessionId of [second, third, fourth]) expect(await statusOf(C, sessionId, erin)).toBe(200);
    expect((await admin(A, `sessions?subject=${encodeURIComponent(erin)}`)).length).toBe(3);
  });
});

describe('sessionsPerPrincipal with whenFull: refuse', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      imports: [
        McpModule.forRoot({
          name: 'capped',
          version: '1.0.0',
          resolvePrincipal: principalFromTestHeader,
          sessionsPerPrincipal: { max: 2, whenFull: 'refuse' },
        }),
      ],
    });
  });

  afterAll(() => running.close());

  it('answers an initialize beyond the limit with 429, Retry-After and a message saying what to do; other principals go on', async () => {
    const url = `${running.baseUrl}/mcp`;
    await openSession(url, { headers: as('frank') });
    const second = await openSession(url, { headers: as('frank') });

    const refused = await postMcp(url, initializeRequest(), { headers: as('frank') });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: { code: -32600, message: expect.stringContaining('already has 2 sessions') } });

    await openSession(url, { headers: as('grace') });
    await running.app.get(McpSessions).end(second);
    await openSession(url, { headers: as('frank') });
  });
});
