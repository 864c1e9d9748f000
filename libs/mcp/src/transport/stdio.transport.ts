import { Inject, Injectable, Logger } from '@nestjs/common';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Subscription } from 'rxjs';
import type { McpPrincipal } from '../auth/mcp-principal.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import {
  classifyMessage,
  errorResponse,
  JsonRpcErrorCode,
  readRequestId,
  type JsonRpcId,
  type JsonRpcResponse,
  type OutboundMessage,
} from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { PostReply, ResponseStream, ResponseStreamOptions } from '../protocol/post-reply.js';
import { selectEra } from '../protocol/protocol-era.js';
import { RequestCancellation } from '../protocol/request-cancellation.js';
import { SessionProtocol } from '../protocol/session.protocol.js';
import { StatelessProtocol } from '../protocol/stateless.protocol.js';
import { STANDALONE_STREAM_ID } from '../session/event-id.js';
import { LiveStreams } from '../session/live-streams.service.js';
import { SessionHost } from '../session/session-host.interface.js';
import { SessionService } from '../session/session.service.js';

/** The answer to one request over stdio: its messages, then its response, each a line. */
class StdioExchange implements ResponseStream {
  readonly clientGone = new RequestCancellation();

  constructor(private readonly write: (message: unknown) => void) {}

  async start(): Promise<void> {}

  async send(message: OutboundMessage): Promise<void> {
    if (!this.clientGone.aborted) this.write({ jsonrpc: '2.0', ...message });
  }

  async finish(response: JsonRpcResponse): Promise<void> {
    this.write(response);
  }

  async abandon(): Promise<void> {}
}

/** One stdio client: its session (2025), the requests it has running, and where its lines go. */
class StdioClient {
  /** The session its `initialize` created (2025 clients). */
  sessionId: string | undefined;
  /** 2026-07-28 requests running, by id: `notifications/cancelled` ends them (there is no stream to close). */
  readonly modernRequests = new Map<JsonRpcId, StdioExchange>();
  private standalone: { subscription: Subscription; release: () => void } | undefined;

  constructor(private readonly output: Writable) {}

  /** Writes one message as one line; nothing else ever goes to stdout. */
  write(message: unknown): void {
    this.writeLine(JSON.stringify(message));
  }

  writeLine(json: string): void {
    this.output.write(`${json}\n`);
  }

  listen(standalone: { subscription: Subscription; release: () => void }): void {
    this.standalone = standalone;
  }

  close(): void {
    this.standalone?.subscription.unsubscribe();
    this.standalone?.release();
    for (const exchange of this.modernRequests.values()) exchange.clientGone.abort(new Error('The client closed stdin.'));
  }
}

/**
 * The MCP stdio transport (MCP 2025-11-25 `basic/transports`, "stdio"): newline-delimited JSON-RPC
 * on a readable and a writable stream, serving the same protocol layer as the HTTP endpoint. A
 * 2025 client gets one session, created by its `initialize`; what would go to its GET stream
 * (notifications, list changes, requests of tasks) is written between responses. 2026-07-28
 * requests are served stateless, cancelled with `notifications/cancelled`. A line that is not JSON
 * gets a -32700 error; nothing the client sends ends the process but the end of its input.
 */
@Injectable()
export class StdioTransport {
  private readonly logger = new Logger('McpStdio');

  constructor(
    private readonly sessionProtocol: SessionProtocol,
    private readonly statelessProtocol: StatelessProtocol,
    private readonly sessions: SessionService,
    private readonly liveStreams: LiveStreams,
    @Inject(SessionHost) private readonly host: SessionHost,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  /**
   * Serves one client until `input` ends or `stop` aborts, as `principal`; then waits for its
   * running requests (up to `shutdownGraceMs`) and ends its session.
   */
  async serve(input: Readable, output: Writable, principal: McpPrincipal, stop?: AbortSignal): Promise<void> {
    const client = new StdioClient(output);
    const running = new Set<Promise<void>>();
    const lines = createInterface({ input, crlfDelay: Infinity });
    stop?.addEventListener('abort', () => lines.close(), { once: true });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const work = this.handle(line, client, principal).finally(() => running.delete(work));
      running.add(work);
    }
    await Promise.race([Promise.allSettled(running), new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs).unref())]);
    client.close();
    const session = client.sessionId === undefined ? undefined : await this.host.getSession(client.sessionId).catch(() => undefined);
    if (session) await this.sessions.delete(session).catch(() => undefined);
  }

  private async handle(line: string, client: StdioClient, principal: McpPrincipal): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(line);
    } catch {
      client.write(errorResponse(null, { code: JsonRpcErrorCode.ParseError, message: 'Parse error: a line is not valid JSON.' }));
      return;
    }
    try {
      if (selectEra(body, undefined) === 'modern') await this.serveModern(body, client, principal);
      else await this.sessionProtocol.serve(body, client.sessionId, principal, this.reply(client));
    } catch (error) {
      const id = readRequestId(body);
      if (error instanceof McpError) {
        if (id !== null || classifyMessage(body).kind !== 'notification') client.write(errorResponse(id, error.toJsonRpc()));
        return;
      }
      this.logger.error(`A stdio message failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      client.write(errorResponse(id, { code: JsonRpcErrorCode.InternalError, message: 'Internal error' }));
    }
  }

  private async serveModern(body: unknown, client: StdioClient, principal: McpPrincipal): Promise<void> {
    const message = this.statelessProtocol.classify(body);
    if (message.kind === 'notification') {
      const requestId = message.message.params?.requestId;
      if (message.message.method === 'notifications/cancelled' && (typeof requestId === 'string' || typeof requestId === 'number')) {
        client.modernRequests.get(requestId)?.clientGone.abort(new Error('Cancelled by the client.'));
      }
      return;
    }
    const meta = this.statelessProtocol.readMeta(message.message);
    this.statelessProtocol.checkVersion(meta);
    const requestId = message.message.id;
    try {
      await this.statelessProtocol.serve(message.message, meta, principal, {
        ...this.reply(client),
        stream: () => {
          const exchange = new StdioExchange((line) => client.write(line));
          client.modernRequests.set(requestId, exchange);
          return exchange;
        },
      });
    } finally {
      client.modernRequests.delete(requestId);
    }
  }

  /** How the protocol layer answers over stdio; the session `initialize` creates becomes the client's. */
  private reply(client: StdioClient): PostReply {
    return {
      accepted: () => undefined,
      json: (body) => client.write(body),
      stream: (options: ResponseStreamOptions) => {
        if (options.headers?.['Mcp-Session-Id'] && options.session) {
          client.sessionId = options.session.id;
          void this.listen(client, options.session.id);
        }
        return new StdioExchange((message) => client.write(message));
      },
      // The local user runs the server: there is no token to step up.
      authorize: () => undefined,
      traceCarrier: {},
    };
  }

  /** What is sent to the session's GET stream elsewhere is written here. */
  private async listen(client: StdioClient, sessionId: string): Promise<void> {
    const release = await this.liveStreams.claim({ sessionId, streamId: STANDALONE_STREAM_ID, close: () => undefined });
    const subscription = this.host.streamEvents(sessionId, STANDALONE_STREAM_ID, 0).subscribe({
      next: (event) => event.payload && client.writeLine(event.payload),
      error: (error: unknown) => this.logger.warn(`The session's notifications stopped: ${String(error)}`),
    });
    client.listen({ subscription, release });
  }
}
