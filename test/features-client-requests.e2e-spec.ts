import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  type CallToolResult,
  type ElicitRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { Injectable } from '@nestjs/common';
import { McpTool, text, type McpContext } from '@nest-mcp/mcp';
import { z } from 'zod';
import { Inbox, startMcpApp, type ConnectOptions, type McpTestApp, type SdkSession } from './support/sdk-session.js';

/** A form using every field kind of MCP 2025-11-25 elicitation, with defaults and (titled) enums. */
const PROFILE_FORM = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', default: 'Ada' },
    size: { type: 'string', enum: ['S', 'M', 'L'], default: 'M' },
    plan: {
      type: 'string',
      oneOf: [
        { const: 'free', title: 'Free' },
        { const: 'pro', title: 'Professional' },
      ],
      default: 'free',
    },
    colors: { type: 'array', items: { type: 'string', enum: ['red', 'green', 'blue'] }, default: ['green'] },
    seats: { type: 'integer', minimum: 1, maximum: 10, default: 2 },
    newsletter: { type: 'boolean', default: true },
  },
  required: ['name'],
} as const;

const Consent = z.object({
  name: z.string().describe('Your name'),
  size: z.enum(['S', 'M', 'L']).default('M'),
  agree: z.boolean(),
});

const withTimeout = z.object({ timeoutMs: z.number().int().positive().optional() });

@Injectable()
class AskingTools {
  @McpTool({ name: 'ask_model', description: "Asks the client's model.", input: withTimeout.extend({ prompt: z.string() }) })
  async askModel({ prompt, timeoutMs }: { prompt: string; timeoutMs?: number }, ctx: McpContext): Promise<string> {
    const result = await ctx.sample(
      { messages: [{ role: 'user', content: text(prompt) }], maxTokens: 64, systemPrompt: 'Be brief.' },
      timeoutMs === undefined ? undefined : { timeoutMs },
    );
    const content = Array.isArray(result.content) ? result.content[0] : result.content;
    return `${result.model}: ${content?.type === 'text' ? content.text : content?.type}`;
  }

  @McpTool({ name: 'ask_model_with_tools', description: "Asks the client's model, offering it a tool." })
  async askModelWithTools(_args: unknown, ctx: McpContext): Promise<string> {
    const result = await ctx.sample({
      messages: [{ role: 'user', content: text('What is the weather?') }],
      maxTokens: 64,
      tools: [{ name: 'weather', inputSchema: { type: 'object', properties: {} } }],
    });
    return result.model;
  }

  @McpTool({ name: 'ask_profile', description: 'Asks the user for a profile (JSON Schema form).', input: withTimeout })
  async askProfile({ timeoutMs }: { timeoutMs?: number }, ctx: McpContext): Promise<string> {
    return JSON.stringify(
      await ctx.elicit({ message: 'Your profile', requestedSchema: PROFILE_FORM }, timeoutMs === undefined ? undefined : { timeoutMs }),
    );
  }

  @McpTool({ name: 'ask_consent', description: 'Asks the user for consent (zod form).' })
  async askConsent(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({ message: 'Do you agree?', requestedSchema: Consent });
    return JSON.stringify(answer);
  }

  @McpTool({ name: 'open_login', description: 'Sends the user to a login page (URL mode).' })
  async openLogin(_args: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({
      mode: 'url',
      message: 'Sign in to the note store',
      url: 'https://notes.example.com/login?s=1',
      elicitationId: 'login-1',
    });
    return JSON.stringify(answer);
  }

  @McpTool({ name: 'roots', description: "Lists the client's roots." })
  async roots(_args: unknown, ctx: McpContext): Promise<string> {
    return JSON.stringify(await ctx.listRoots());
  }
}

const toolText = (result: unknown) => {
  const { content, isError } = result as CallToolResult;
  return { text: (content[0] as { text: string }).text, isError: isError ?? false };
};

const missingCapability = (capability: string) => ({
  isError: true,
  text: `The client did not declare the "${capability}" capability, so the server cannot use it for this request.`,
});

describe('server-to-client requests', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = await startMcpApp({ providers: [AskingTools] });
  });

  afterAll(() => app.close());

  const connect = (capabilities: ConnectOptions['capabilities']) => app.connect({ capabilities, listen: false });
  const call = async (session: SdkSession, name: string, args: Record<string, unknown> = {}) =>
    toolText(await session.client.callTool({ name, arguments: args }));

  /** The client's POSTed answer to the server's request `id`. */
  const answerPosted = (session: SdkSession, id: string | number) =>
    session.posts.find(({ message }) => 'id' in message && message.id === id && ('result' in message || 'error' in message));

  describe('sampling (ctx.sample)', () => {
    it("asks the client's model on the request's own stream; the client's POSTed answer resolves it", async () => {
      const session = await connect({ sampling: {} });
      const asked = new Inbox<{ params: unknown; id: string | number }>();
      session.client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
        asked.push({ params: request.params, id: extra.requestId });
        const prompt = request.params.messages[0].content;
        return { model: 'test-model', role: 'assistant', content: { type: 'text', text: `echo ${'text' in prompt ? prompt.text : ''}` } };
      });
      expect(await call(session, 'ask_model', { prompt: 'hi' })).toEqual({ isError: false, text: 'test-model: echo hi' });
      const [request] = asked.items;
      expect(request.params).toEqual({
        messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
        maxTokens: 64,
        systemPrompt: 'Be brief.',
      });
      expect(await session.lastPost('tools/call').answer).toMatchObject({
        contentType: 'text/event-stream',
        body: expect.stringContaining('"method":"sampling/createMessage"'),
      });
      expect(answerPosted(session, request.id)).toBeDefined();
    });

    it('is a tool error when the client did not declare sampling', async () => {
      expect(await call(await connect({}), 'ask_model', { prompt: 'hi' })).toEqual(missingCapability('sampling'));
    });

    it('needs sampling.tools to offer the model tools', async () => {
      expect(await call(await connect({ sampling: {} }), 'ask_model_with_tools')).toEqual(missingCapability('sampling.tools'));
    });

    it('withdraws the sampling request (notifications/cancelled) when the tool call is cancelled', async () => {
      const session = await connect({ sampling: {} });
      const asked = new Inbox<string | number>();
      const withdrawn = new Inbox<string | number>();
      session.client.setRequestHandler(CreateMessageRequestSchema, (_request, extra) => {
        asked.push(extra.requestId);
        return new Promise((_resolve, reject) => {
          extra.signal.addEventListener('abort', () => {
            withdrawn.push(extra.requestId);
            reject(new Error('withdrawn'));
          });
        });
      });
      const cancel = new AbortController();
      const result = session.client.callTool({ name: 'ask_model', arguments: { prompt: 'hi' } }, undefined, { signal: cancel.signal });
      const id = await asked.waitFor(undefined, 'the sampling request');
      cancel.abort('never mind');
      await expect(result).rejects.toBeDefined();
      expect(await withdrawn.waitFor(undefined, 'the withdrawal of the sampling request')).toBe(id);
      const { body } = await session.lastPost('tools/call').answer;
      expect(body).toContain('"method":"notifications/cancelled"');
      expect(body).not.toMatch(/"result"|"error"/);
    });

    it('gives up after the timeout, tells the client so, and reports it as a tool error', async () => {
      const session = await connect({ sampling: {} });
      const cancelled = new Inbox<string>();
      session.client.setRequestHandler(
        CreateMessageRequestSchema,
        (_request, extra) =>
          new Promise((_resolve, reject) => {
            extra.signal.addEventListener('abort', () => {
              cancelled.push(String(extra.requestId));
              reject(new Error('cancelled'));
            });
          }),
      );
      expect(await call(session, 'ask_model', { prompt: 'hi', timeoutMs: 100 })).toEqual({
        isError: true,
        text: 'The client did not answer sampling/createMessage within 100 ms.',
      });
      await cancelled.waitFor(undefined, 'the cancellation of the sampling request');
    });

    it('reports an error the client answered with as a tool error', async () => {
      const session = await connect({ sampling: {} });
      session.client.setRequestHandler(CreateMessageRequestSchema, () => {
        throw new McpError(-1, 'The user declined to sample');
      });
      expect(await call(session, 'ask_model', { prompt: 'hi' })).toEqual({
        isError: true,
        text: 'The client answered sampling/createMessage with error -1: MCP error -1: The user declined to sample',
      });
    });

    it('is settled only by its own session: a response from another session with the same id is ignored', async () => {
      const owner = await connect({ sampling: {} });
      const intruder = await connect({ sampling: {} });
      const asked = new Inbox<string | number>();
      let answer!: () => void;
      owner.client.setRequestHandler(CreateMessageRequestSchema, async (_request, extra) => {
        asked.push(extra.requestId);
        await new Promise<void>((resolve) => (answer = resolve));
        return { model: 'owner-model', role: 'assistant', content: { type: 'text', text: 'mine' } };
      });
      const result = call(owner, 'ask_model', { prompt: 'hi' });
      const id = await asked.waitFor(undefined, 'the sampling request');
      await intruder.transport.send({
        jsonrpc: '2.0',
        id,
        result: { model: 'intruder', role: 'assistant', content: { type: 'text', text: 'stolen' } },
      });
      await intruder.client.ping();
      answer();
      expect(await result).toEqual({ isError: false, text: 'owner-model: mine' });
    });
  });

  describe('elicitation (ctx.elicit)', () => {
    /** A session whose client answers every elicitation with `answer` and records what it was asked. */
    const elicitingSession = async (capabilities: ConnectOptions['capabilities'], answer: (request: ElicitRequest) => object) => {
      const session = await connect(capabilities);
      const asked = new Inbox<ElicitRequest['params']>();
      session.client.setRequestHandler(ElicitRequestSchema, async (request) => {
        asked.push(request.params);
        return answer(request);
      });
      return { session, asked };
    };

    it("sends a form with defaults and enums; the client's defaults reach the tool", async () => {
      const { session, asked } = await elicitingSession({ elicitation: { form: { applyDefaults: true } } }, () => ({
        action: 'accept',
        content: { name: 'Grace', colors: ['red', 'blue'] },
      }));
      const result = await call(session, 'ask_profile');
      expect(asked.items).toEqual([{ message: 'Your profile', requestedSchema: PROFILE_FORM }]);
      expect(JSON.parse(result.text)).toEqual({
        action: 'accept',
        content: { name: 'Grace', size: 'M', plan: 'free', colors: ['red', 'blue'], seats: 2, newsletter: true },
      });
    });

    it('passes decline and cancel through without content', async () => {
      for (const action of ['decline', 'cancel']) {
        const { session } = await elicitingSession({ elicitation: {} }, () => ({ action }));
        expect(JSON.parse((await call(session, 'ask_profile')).text)).toEqual({ action });
      }
    });

    it('sends a zod form as JSON Schema and validates and types the content', async () => {
      const { session, asked } = await elicitingSession({ elicitation: {} }, () => ({
        action: 'accept',
        content: { name: 'Ada', agree: true },
      }));
      expect(JSON.parse((await call(session, 'ask_consent')).text)).toEqual({
        action: 'accept',
        content: { name: 'Ada', size: 'M', agree: true },
      });
      expect(asked.items[0]).toMatchObject({
        message: 'Do you agree?',
        requestedSchema: {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'Your name' },
            size: { type: 'string', enum: ['S', 'M', 'L'], default: 'M' },
            agree: { type: 'boolean' },
          },
          required: ['name', 'agree'],
        },
      });
    });

    it('reports content that does not match the zod form as a tool error', async () => {
      const { session } = await elicitingSession({ elicitation: {} }, () => ({ action: 'accept', content: { name: 'Ada', agree: 'yes' } }));
      const result = await call(session, 'ask_consent');
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^The client returned elicited content that does not match the form: agree: /);
    });

    it('sends URL mode to a client that declared elicitation.url', async () => {
      const { session, asked } = await elicitingSession({ elicitation: { url: {} } }, () => ({ action: 'accept' }));
      expect(JSON.parse((await call(session, 'open_login')).text)).toEqual({ action: 'accept' });
      expect(asked.items).toEqual([
        { mode: 'url', message: 'Sign in to the note store', url: 'https://notes.example.com/login?s=1', elicitationId: 'login-1' },
      ]);
    });

    it('is a tool error naming the mode or capability the client lacks', async () => {
      expect(await call(await connect({}), 'ask_profile')).toEqual(missingCapability('elicitation'));
      expect(await call(await connect({ elicitation: {} }), 'open_login')).toEqual(missingCapability('elicitation.url'));
      expect(await call(await connect({ elicitation: { url: {} } }), 'ask_profile')).toEqual(missingCapability('elicitation.form'));
    });

    it('honours the timeout option', async () => {
      const { session } = await elicitingSession({ elicitation: {} }, () => new Promise(() => undefined));
      expect(await call(session, 'ask_profile', { timeoutMs: 50 })).toEqual({
        isError: true,
        text: 'The client did not answer elicitation/create within 50 ms.',
      });
    });
  });

  describe('roots (ctx.listRoots)', () => {
    it("returns the client's roots", async () => {
      const session = await connect({ roots: { listChanged: true } });
      session.client.setRequestHandler(ListRootsRequestSchema, async () => ({
        roots: [{ uri: 'file:///home/ada/notes', name: 'Notes' }, { uri: 'file:///tmp' }],
      }));
      expect(JSON.parse((await call(session, 'roots')).text)).toEqual([
        { uri: 'file:///home/ada/notes', name: 'Notes' },
        { uri: 'file:///tmp' },
      ]);
    });

    it('is a tool error when the client did not declare roots', async () => {
      expect(await call(await connect({}), 'roots')).toEqual(missingCapability('roots'));
    });

    it('reports a client that does not know the method as a tool error', async () => {
      const session = await connect({ roots: {} });
      expect(await call(session, 'roots')).toEqual({
        isError: true,
        text: `The client answered roots/list with error ${ErrorCode.MethodNotFound}: Method not found`,
      });
    });
  });
});
