import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AnyObjectSchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { ClientCapabilities, JSONRPCMessage, JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import type { LoggerService, ModuleMetadata, Provider } from '@nestjs/common';
import { McpModule, McpSessionEvents, type McpModuleOptions } from '@nest-mcp/mcp';
import { startApp, type RunningApp } from './app.js';

/** Something a test waits for: resolves with the first item that matches, or fails after a timeout. */
export class Inbox<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<{ match: (item: T) => boolean; resolve: (item: T) => void }>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of this.waiters) {
      if (waiter.match(item)) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  /** The first item (already received or still to come) that matches. */
  waitFor(match: (item: T) => boolean = () => true, what = 'the expected message', timeoutMs = 5_000): Promise<T> {
    const seen = this.items.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${what} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/** Collects the notifications of one kind the SDK client receives (validated by the SDK's schema). */
export function collect<S extends AnyObjectSchema>(client: Client, schema: S): Inbox<SchemaOutput<S>> {
  const inbox = new Inbox<SchemaOutput<S>>();
  client.setNotificationHandler(schema, (notification) => inbox.push(notification));
  return inbox;
}

/** The server's answer to one POST, once it ended. */
export interface RecordedAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

/** One HTTP POST the SDK client made: the JSON-RPC message sent and the server's answer. */
export interface RecordedPost {
  message: JSONRPCMessage;
  answer: Promise<RecordedAnswer>;
}

/** A `fetch` for the SDK transport that also keeps a copy of every POST and its answer. */
function recordingFetch(posts: RecordedPost[]): typeof fetch {
  return async (input, init) => {
    const pending = fetch(input, init);
    if (init?.method === 'POST' && typeof init.body === 'string') {
      const answer = pending.then(async (response) => ({
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: await response.clone().text(),
      }));
      // A POST still open when the client closes is aborted; only a test that awaits it should fail.
      answer.catch(() => undefined);
      posts.push({ message: JSON.parse(init.body) as JSONRPCMessage, answer });
    }
    return pending;
  };
}

export interface ConnectOptions {
  /** Client capabilities sent at `initialize` (sampling, elicitation, roots). */
  capabilities?: ClientCapabilities;
  /** Extra headers on every request (for a host-app guard that reads the caller from headers). */
  headers?: Record<string, string>;
  name?: string;
  /**
   * Wait until the session's GET stream is open (default true): notifications sent outside a
   * request only reach sessions listening on it.
   */
  listen?: boolean;
}

/** An SDK client connected to an app, with the raw POSTs it made. */
export interface SdkSession {
  client: Client;
  transport: StreamableHTTPClientTransport;
  sessionId: string;
  posts: RecordedPost[];
  /** Errors the SDK reported outside of a request (e.g. a response to an unknown id). */
  errors: Error[];
  /** Notifications the client has no handler for (the tests' probes and markers among them). */
  unhandled: Inbox<JSONRPCNotification>;
  /** The last POST that carried a request for `method`. */
  lastPost(method: string): RecordedPost;
}

const PROBE = 'notifications/test/probe';
const MARKER = 'notifications/test/marker';

/** An app serving `McpModule` at `/mcp`, whose SDK clients are closed with it. */
export interface McpTestApp extends RunningApp {
  url: URL;
  events: McpSessionEvents;
  connect(options?: ConnectOptions): Promise<SdkSession>;
  /** Resolves once the session's GET stream is open: the client received a probe sent there. */
  listening(session: SdkSession): Promise<void>;
  /**
   * Sends a marker to the GET stream of every session given and waits until each received it, so
   * that everything sent to those streams before has arrived.
   */
  barrier(...sessions: SdkSession[]): Promise<void>;
}

export interface McpTestAppSetup {
  options?: Partial<McpModuleOptions>;
  providers?: Provider[];
  imports?: ModuleMetadata['imports'];
  /** Takes what the app logs (see `startApp`). */
  logger?: LoggerService;
}

/** Starts an app with `McpModule.forRoot(options)` and the given providers. */
export async function startMcpApp(setup: McpTestAppSetup = {}): Promise<McpTestApp> {
  const running = await startApp(
    {
      imports: [McpModule.forRoot({ name: 'features', version: '1.0.0', ...setup.options }), ...(setup.imports ?? [])],
      providers: setup.providers ?? [],
    },
    undefined,
    setup.logger,
  );
  return withSdkSessions(running);
}

/** Adds SDK sessions to a running app that serves MCP at `path`. */
export function withSdkSessions(running: RunningApp, path = '/mcp'): McpTestApp {
  const url = new URL(`${running.baseUrl}${path}`);
  const events = running.app.get(McpSessionEvents);
  const clients: Client[] = [];
  let markers = 0;

  const listening = async (session: SdkSession): Promise<void> => {
    // The SDK opens its GET stream in the background after `initialized`; until the server holds
    // it, what is sent there is not delivered. Probe until one arrives.
    const arrived = session.unhandled.waitFor((notification) => notification.method === PROBE, 'a probe on the GET stream');
    let done = false;
    arrived.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) {
      await events.notify(session.sessionId, { method: PROBE });
      await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 20))]).catch(() => undefined);
    }
    await arrived;
  };

  const barrier = async (...sessions: SdkSession[]): Promise<void> => {
    const id = `${++markers}`;
    const isMarker = (notification: JSONRPCNotification) => notification.method === MARKER && notification.params?.id === id;
    const received = sessions.map((session) => session.unhandled.waitFor(isMarker, `marker ${id}`));
    await events.notifyAll({ method: MARKER, params: { id } });
    await Promise.all(received);
  };

  const connect = async (options: ConnectOptions = {}): Promise<SdkSession> => {
    const posts: RecordedPost[] = [];
    const errors: Error[] = [];
    const client = new Client({ name: options.name ?? 'features-e2e', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
    const unhandled = new Inbox<JSONRPCNotification>();
    client.onerror = (error) => errors.push(error);
    client.fallbackNotificationHandler = async (notification) => unhandled.push(notification as JSONRPCNotification);
    const transport = new StreamableHTTPClientTransport(url, {
      fetch: recordingFetch(posts),
      ...(options.headers && { requestInit: { headers: options.headers } }),
    });
    await client.connect(transport);
    clients.push(client);
    const session: SdkSession = {
      client,
      transport,
      sessionId: transport.sessionId!,
      posts,
      errors,
      unhandled,
      lastPost: (method) => {
        const post = posts.findLast(({ message }) => 'id' in message && 'method' in message && message.method === method);
        if (!post) throw new Error(`no POST carried a ${method} request`);
        return post;
      },
    };
    if (options.listen ?? true) await listening(session);
    return session;
  };

  return {
    ...running,
    url,
    events,
    connect,
    listening,
    barrier,
    close: async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await running.close();
    },
  };
}

/** The JSON-RPC error code a request was answered with (fails if it succeeded). */
export const errorCode = (attempt: Promise<unknown>): Promise<number> =>
  attempt.then(
    () => {
      throw new Error('the request succeeded');
    },
    (error: { code: number }) => error.code,
  );
