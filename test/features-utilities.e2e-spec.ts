import { LoggingMessageNotificationSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { Injectable } from '@nestjs/common';
import { LOGGING_LEVELS, McpTool, SessionHost, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';
import { textOf } from './support/auth-app.js';
import { collect, Inbox, startMcpApp, type McpTestApp, type SdkSession } from './support/sdk-session.js';

/** Holds tool calls until a test releases them, and records what their AbortSignals did. */
@Injectable()
class Latch {
  readonly started = new Inbox<string>();
  readonly aborted = new Inbox<{ key: string; reason: unknown }>();
  private readonly releases = new Map<string, () => void>();

  hold(key: string, signal: AbortSignal): Promise<void> {
    this.started.push(key);
    return new Promise((resolve, reject) => {
      this.releases.set(key, resolve);
      signal.addEventListener('abort', () => {
        this.aborted.push({ key, reason: signal.reason });
        reject(signal.reason as Error);
      });
    });
  }

  release(key: string): void {
    this.releases.get(key)?.();
  }
}

@Injectable()
class UtilityTools {
  constructor(private readonly latch: Latch) {}

  @McpTool({ name: 'log_every_level', description: 'Logs one message at each level, most verbose first.' })
  async logEveryLevel(_args: unknown, ctx: McpContext): Promise<string> {
    for (const level of LOGGING_LEVELS) await ctx.log(level, { level }, 'utility');
    return 'logged';
  }

  @McpTool({ name: 'steps', description: 'Reports progress 1, 1, 0.5, 2, 3 of 3 and returns the progress token it saw.' })
  async steps(_args: unknown, ctx: McpContext): Promise<string> {
    for (const [progress, message] of [
      [1, 'one'],
      [1, 'one again'],
      [0.5, 'backwards'],
      [2, undefined],
      [3, 'done'],
    ] as const) {
      await ctx.progress(progress, 3, message);
    }
    return `token ${JSON.stringify(ctx.progressToken ?? null)}`;
  }

  @McpTool({
    name: 'hold',
    description: 'Waits until the test releases `key` or the request is cancelled; reports progress first when asked.',
    input: z.object({ key: z.string(), progressFirst: z.boolean().default(false) }),
  })
  async hold({ key, progressFirst }: { key: string; progressFirst: boolean }, ctx: McpContext): Promise<string> {
    if (progressFirst) await ctx.progress(1, 2, 'holding');
    await this.latch.hold(key, ctx.signal);
    return `released ${key}`;
  }
}

const levelsAbove = (level: LoggingLevel) => LOGGING_LEVELS.slice(LOGGING_LEVELS.indexOf(level));

describe('logging', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [Latch, UtilityTools] });
  });

  afterAll(() => app.close());

  /** Calls log_every_level and returns the levels of the log messages it sent this session. */
  const loggedLevels = async (session: SdkSession): Promise<string[]> => {
    const messages = collect(session.client, LoggingMessageNotificationSchema);
    await session.client.callTool({ name: 'log_every_level', arguments: {} });
    for (const message of messages.items)
      expect(message.params).toMatchObject({ logger: 'utility', data: { level: message.params.level } });
    return messages.items.map((message) => message.params.level);
  };

  it('advertises logging and sends messages from the default level (info) up', async () => {
    const session = await app.connect({ listen: false });
    expect(session.client.getServerCapabilities()?.logging).toEqual({});
    expect(await loggedLevels(session)).toEqual(levelsAbove('info'));
  });

  it('honours the level a session set with logging/setLevel, stored in its metadata', async () => {
    const quiet = await app.connect({ listen: false });
    const chatty = await app.connect({ listen: false });
    expect(await quiet.client.setLoggingLevel('error')).toEqual({});
    expect(await chatty.client.setLoggingLevel('debug')).toEqual({});
    expect(await loggedLevels(quiet)).toEqual(levelsAbove('error'));
    expect(await loggedLevels(chatty)).toEqual(LOGGING_LEVELS);
    const host = app.app.get(SessionHost);
    expect((await host.getSession(quiet.sessionId))?.logLevel).toBe('error');
    expect((await host.getSession(chatty.sessionId))?.logLevel).toBe('debug');
  });

  it('answers an unknown level with -32602 and keeps the previous one', async () => {
    const session = await app.connect({ listen: false });
    await session.client.setLoggingLevel('warning');
    await expect(session.client.setLoggingLevel('loud' as LoggingLevel)).rejects.toMatchObject({ code: -32602 });
    expect(await loggedLevels(session)).toEqual(levelsAbove('warning'));
  });

  it('starts from the defaultLogLevel option', async () => {
    const verbose = await startMcpApp({ providers: [Latch, UtilityTools], options: { defaultLogLevel: 'notice' } });
    try {
      expect(await loggedLevels(await verbose.connect({ listen: false }))).toEqual(levelsAbove('notice'));
    } finally {
      await verbose.close();
    }
  });
});

describe('progress', () => {
  let app: McpTestApp;
  let session: SdkSession;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [Latch, UtilityTools] });
    session = await app.connect({ listen: false });
  });

  afterAll(() => app.close());

  it("reports progress with the client's token, dropping values that do not grow", async () => {
    const updates: unknown[] = [];
    const result = await session.client.callTool({ name: 'steps', arguments: {} }, undefined, {
      onprogress: (update) => updates.push(update),
    });
    const call = session.lastPost('tools/call');
    const { id } = call.message as { id: number };
    expect(textOf(result)).toBe(`token ${id}`);
    expect(updates).toEqual([
      { progress: 1, total: 3, message: 'one' },
      { progress: 2, total: 3 },
      { progress: 3, total: 3, message: 'done' },
    ]);
    expect((await call.answer).contentType).toBe('text/event-stream');
  });

  it('sends nothing without a progress token: the answer is plain JSON', async () => {
    const result = await session.client.callTool({ name: 'steps', arguments: {} });
    expect(textOf(result)).toBe('token null');
    const answer = await session.lastPost('tools/call').answer;
    expect(answer.contentType).toBe('application/json');
    expect(JSON.parse(answer.body)).toMatchObject({ result: { content: [{ text: 'token null' }] } });
    expect(session.errors).toEqual([]);
  });
});

describe('cancellation', () => {
  let app: McpTestApp;
  let latch: Latch;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [Latch, UtilityTools] });
    latch = app.app.get(Latch);
  });

  afterAll(() => app.close());

  /** Starts `hold` on a session and waits until its handler runs. */
  const startHold = async (session: SdkSession, key: string, options: { progressFirst?: boolean; signal?: AbortSignal } = {}) => {
    const progress = new Inbox<unknown>();
    const result = session.client.callTool({ name: 'hold', arguments: { key, progressFirst: options.progressFirst ?? false } }, undefined, {
      signal: options.signal,
      ...(options.progressFirst && { onprogress: (update) => progress.push(update) }),
    });
    result.catch(() => undefined);
    await latch.started.waitFor((started) => started === key, `the start of ${key}`);
    const post = session.lastPost('tools/call');
    return { result, post, id: (post.message as { id: number }).id, progress };
  };

  /** The JSON-RPC responses the server sent in answer to a POST (JSON body or SSE events). */
  const responsesIn = async ({ answer }: { answer: Promise<{ body: string }> }) =>
    (await answer).body
      .split('\n')
      .map((line) => line.replace(/^data: ?/, ''))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((message) => 'result' in message || 'error' in message);

  it("aborts the handler's signal and sends no response; another session using the same request id runs on", async () => {
    const alice = await app.connect({ listen: false });
    const bob = await app.connect({ listen: false });
    const cancel = new AbortController();
    const alicesCall = await startHold(alice, 'alice', { signal: cancel.signal });
    const bobsCall = await startHold(bob, 'bob');
    expect(alicesCall.id).toBe(bobsCall.id);

    cancel.abort('the user gave up');
    const aborted = await latch.aborted.waitFor(({ key }) => key === 'alice', 'the abort of alice');
    expect(aborted.reason).toMatchObject({ message: 'the user gave up' });
    await expect(alicesCall.result).rejects.toBeDefined();
    expect(await responsesIn(alicesCall.post)).toEqual([]);
    expect((await alicesCall.post.answer).status).toBe(202);

    latch.release('bob');
    expect(textOf(await bobsCall.result)).toBe('released bob');
    expect(latch.aborted.items.map(({ key }) => key)).not.toContain('bob');
    await alice.client.ping();
    expect(alice.errors).toEqual([]);
  });

  it('ends a request stream that already switched to SSE without a response', async () => {
    const session = await app.connect({ listen: false });
    const cancel = new AbortController();
    const call = await startHold(session, 'streaming', { progressFirst: true, signal: cancel.signal });
    await call.progress.waitFor(undefined, 'the first progress update');
    cancel.abort('stop');
    await latch.aborted.waitFor(({ key }) => key === 'streaming', 'the abort of streaming');
    const answer = await call.post.answer;
    expect(answer.contentType).toBe('text/event-stream');
    expect(answer.body).toContain('notifications/progress');
    expect(await responsesIn(call.post)).toEqual([]);
    await session.client.ping();
    expect(session.errors).toEqual([]);
  });

  it('ignores a cancellation from another session that names the same request id', async () => {
    const owner = await app.connect({ listen: false });
    const intruder = await app.connect({ listen: false });
    const call = await startHold(owner, 'owned');
    await intruder.client.notification({ method: 'notifications/cancelled', params: { requestId: call.id, reason: 'not yours' } });
    await intruder.client.ping();
    latch.release('owned');
    expect(textOf(await call.result)).toBe('released owned');
    expect(latch.aborted.items.map(({ key }) => key)).not.toContain('owned');
  });
});
