import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { McpPrincipal } from '../auth/mcp-principal.js';
import { McpScopePolicy } from '../auth/scope.policy.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { readRequestId, type JsonRpcRequest } from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { PostReply, ResponseStream, ResponseStreamOptions } from '../protocol/post-reply.js';
import { selectEra } from '../protocol/protocol-era.js';
import { SessionProtocol } from '../protocol/session.protocol.js';
import { StatelessProtocol } from '../protocol/stateless.protocol.js';
import { NodeLease } from '../lifecycle/node-lease.service.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { formatEventId, parseEventId, STANDALONE_STREAM_ID } from '../session/event-id.js';
import { LiveStreams } from '../session/live-streams.service.js';
import { McpSessionEvents } from '../session/mcp-session-events.service.js';
import { NodeBus } from '../session/node-bus.service.js';
import { SessionHost, type SessionMetadata } from '../session/session-host.interface.js';
import { SessionHostUnavailableError, SessionLimitError, SessionsPerPrincipalError } from '../session/session.errors.js';
import { SessionService } from '../session/session.service.js';
import { McpTelemetry } from '../telemetry/mcp-telemetry.service.js';
import {
  accepts,
  forbiddenOrigin,
  forbiddenPreflight,
  header,
  invalidRequest,
  isJsonContentType,
  isOriginAllowed,
  McpHttpException,
  methodNotAllowed,
  notAcceptable,
  parseError,
  payloadTooLarge,
  refusalStatus,
  replayConflict,
  tooManySessions,
  unavailable,
  unsupportedMediaType,
  type McpHttpRequest,
} from './http-rules.js';
import { pumpLog } from './log-pump.js';
import { PostExchange } from './post-exchange.js';
import { applyCors, ENDPOINT_METHODS, preflightHeaders } from './cors.js';
import { checkStandardHeaders, checkVersionHeader } from './request-headers.js';
import { takeBody } from './request-body.js';
import { SseWriter } from './sse.writer.js';
import { StatelessExchange } from './stateless-exchange.js';
import { sendJson } from './node-http.js';

/** Seconds a client should wait before retrying when the session store is unavailable or full. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The MCP Streamable HTTP transport over Node's own request and response objects, so it serves any
 * Nest HTTP adapter. It speaks HTTP only: it checks what HTTP carries (origin, media types,
 * headers that mirror the body), reads the body, picks the protocol era of each message and hands
 * it to that era's protocol (`SessionProtocol` for 2025 sessions, `StatelessProtocol` for
 * 2026-07-28), then writes what the protocol answers as JSON or SSE with the right status.
 */
@Injectable()
export class StreamableHttpTransport implements OnModuleDestroy {
  private readonly logger = new Logger('McpTransport');
  /** Every SSE stream open on this instance. */
  private readonly openStreams = new Set<SseWriter>();
  /** Those opened by GET (a session's standalone stream, or a resumed one): no handler runs behind them. */
  private readonly getStreams = new Set<SseWriter>();
  /** Set when the instance starts to stop: new requests are refused with 503 so they go elsewhere. */
  private draining = false;

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly sessionProtocol: SessionProtocol,
    private readonly statelessProtocol: StatelessProtocol,
    private readonly sessions: SessionService,
    private readonly liveStreams: LiveStreams,
    private readonly events: McpSessionEvents,
    private readonly scopePolicy: McpScopePolicy,
    private readonly registry: McpRegistry,
    private readonly lease: NodeLease,
    private readonly bus: NodeBus,
    private readonly telemetry: McpTelemetry,
  ) {}

  /**
   * The instance starts to stop: refuse new requests, and end GET streams with a `retry` hint so
   * their clients reconnect to another instance. Requests that run go on (see `GracefulShutdown`).
   */
  onModuleDestroy(): void {
    this.draining = true;
    for (const stream of this.getStreams) {
      stream.retryHint(this.options.sseRetryMs);
      stream.end();
    }
  }

  /** Whether the instance started to stop (it takes no new requests). */
  get stopping(): boolean {
    return this.draining;
  }

  /** Ends every stream still open (after the shutdown grace period). */
  async endStreams(): Promise<void> {
    for (const stream of this.openStreams) stream.end();
    this.openStreams.clear();
  }

  handlePost(request: McpHttpRequest, response: ServerResponse): Promise<void> {
    return this.guardHost(response, async () => {
      this.refuseWhileStopping(response);
      this.admit(request, response);
      const accept = header(request, 'accept');
      if (!accepts(accept, 'application/json') || !accepts(accept, 'text/event-stream')) {
        throw notAcceptable('both application/json and text/event-stream');
      }
      if (!isJsonContentType(header(request, 'content-type'))) throw unsupportedMediaType();
      const body = await this.parseBody(request);
      const principal = this.options.resolvePrincipal(request);
      const versionHeader = header(request, 'mcp-protocol-version');
      const reply = this.reply(request, response, principal);
      try {
        if (selectEra(body, versionHeader) === 'modern') return await this.serveModern(request, body, principal, reply);
        this.sessionProtocol.checkVersionHeader(versionHeader);
        await this.sessionProtocol.serve(body, header(request, 'mcp-session-id'), principal, reply);
      } catch (error) {
        throw this.refusal(error, body);
      }
    });
  }

  handleGet(request: McpHttpRequest, response: ServerResponse): Promise<void> {
    return this.guardHost(response, async () => {
      this.refuseWhileStopping(response);
      this.admit(request, response);
      this.refuseModern(request, 'POST');
      if (!accepts(header(request, 'accept'), 'text/event-stream')) throw notAcceptable('text/event-stream');
      const session = await this.requireSession(request);
      const lastEventId = header(request, 'last-event-id');
      const resumeFrom = lastEventId === undefined ? undefined : parseEventId(lastEventId);
      if (lastEventId !== undefined && !resumeFrom) throw invalidRequest('Last-Event-ID is not an event id this server issued.');
      const streamId = resumeFrom?.streamId ?? STANDALONE_STREAM_ID;
      let info = await this.host.streamInfo(session.id, streamId);
      if (info?.owner !== undefined && !(await this.host.hasLease(info.owner))) {
        // Its writer is gone: end it (and every other orphan) now rather than at the next sweep.
        await this.lease.sweep();
        info = await this.host.streamInfo(session.id, streamId);
      }
      let afterSeq = info?.lastSeq ?? 0;
      if (resumeFrom) {
        afterSeq = resumeFrom.seq;
        const replayable = info === undefined ? afterSeq === 0 : afterSeq >= info.firstSeq - 1 && afterSeq <= info.lastSeq;
        if (!replayable) {
          throw replayConflict(
            `The events after ${lastEventId} are no longer retained; reconnect without Last-Event-ID to receive new events.`,
          );
        }
        if (info?.finished && afterSeq >= info.lastSeq) {
          // The stream ended and the client has all of it: nothing to resume.
          response.writeHead(HttpStatus.NO_CONTENT).end();
          return;
        }
      }
      await this.openStream(session, streamId, afterSeq, resumeFrom === undefined, response);
    });
  }

  handleDelete(request: McpHttpRequest, response: ServerResponse): Promise<void> {
    return this.guardHost(response, async () => {
      this.refuseWhileStopping(response);
      this.admit(request, response);
      this.refuseModern(request, 'POST');
      const session = await this.requireSession(request);
      await this.sessions.delete(session);
      response.writeHead(HttpStatus.NO_CONTENT).end();
    });
  }

  /**
   * A 2026-07-28 message. Checks run in the order the revision implies: `_meta` (-32602), the
   * version header against it (-32020), the version (-32022), the other mirrored headers (-32020),
   * then the protocol routes the method (-32601) and serves it.
   */
  private async serveModern(request: McpHttpRequest, body: unknown, principal: McpPrincipal, reply: PostReply): Promise<void> {
    const message = this.statelessProtocol.classify(body);
    // No client notification is defined over HTTP in 2026-07-28 (a closed stream is the
    // cancellation); one that arrives anyway is taken and ignored.
    if (message.kind === 'notification') return reply.accepted();
    const meta = this.statelessProtocol.readMeta(message.message);
    checkVersionHeader(request, meta.protocolVersion);
    this.statelessProtocol.checkVersion(meta);
    checkStandardHeaders(request, message.message, this.registry);
    await this.statelessProtocol.serve(message.message, meta, principal, reply);
  }

  /**
   * `OPTIONS`: a CORS preflight from an allowed origin gets 204 with what it may send; one from
   * another origin, or asking for a method or header the endpoint does not take, gets 403. Without
   * `Origin` it is a plain question: 204 with `Allow`.
   */
  handleOptions(request: McpHttpRequest, response: ServerResponse): void {
    this.checkOrigin(request);
    response.setHeader('Allow', ENDPOINT_METHODS);
    if (header(request, 'origin') === undefined) {
      response.writeHead(HttpStatus.NO_CONTENT).end();
      return;
    }
    const headers = preflightHeaders(request);
    if (!headers) throw forbiddenPreflight();
    applyCors(request, response, this.options.allowedOrigins);
    response.writeHead(HttpStatus.NO_CONTENT, headers).end();
  }

  /** GET and DELETE belong to 2025 sessions; a 2026-07-28 client gets 405 (2026-07-28 "Backward Compatibility"). */
  private refuseModern(request: McpHttpRequest, allowed: string): void {
    if (selectEra(undefined, header(request, 'mcp-protocol-version')) === 'modern') {
      throw methodNotAllowed(`${allowed} for protocol 2026-07-28 (GET and DELETE belong to 2025 sessions)`);
    }
  }

  private async requireSession(request: McpHttpRequest): Promise<SessionMetadata> {
    try {
      this.sessionProtocol.checkVersionHeader(header(request, 'mcp-protocol-version'));
      return await this.sessionProtocol.requireSession(header(request, 'mcp-session-id'), this.options.resolvePrincipal(request));
    } catch (error) {
      throw this.refusal(error, undefined);
    }
  }

  /** A protocol refusal as an HTTP answer naming the request it refuses. */
  private refusal(error: unknown, body: unknown): unknown {
    if (!(error instanceof McpError)) return error;
    return McpHttpException.from(error, refusalStatus(error.code), readRequestId(body));
  }

  /** How the protocol layer answers on this HTTP exchange. */
  private reply(request: McpHttpRequest, response: ServerResponse, principal: McpPrincipal): PostReply {
    return {
      accepted: () => response.writeHead(HttpStatus.ACCEPTED).end(),
      json: (body) => {
        sendJson(response, HttpStatus.OK, JSON.stringify(body));
      },
      stream: (options) => this.stream(response, options),
      authorize: (message: JsonRpcRequest) => this.scopePolicy.assertAllowed(request, response, message, principal),
      traceCarrier: request.headers,
    };
  }

  private stream(response: ServerResponse, { requestId, session, headers = {}, alwaysStream }: ResponseStreamOptions): ResponseStream {
    const { sseKeepaliveMs: keepaliveMs, sseHighWaterBytes: highWaterBytes } = this.options;
    const track = (writer: SseWriter) => this.track(writer);
    const mode = alwaysStream ? 'sse' : this.options.responseMode;
    if (!session) return new StatelessExchange(response, { keepaliveMs, highWaterBytes, mode, track });
    return new PostExchange(response, headers, {
      keepaliveMs,
      highWaterBytes,
      mode,
      retryMs: this.options.sseRetryMs,
      sessionId: session.id,
      protocolVersion: session.protocolVersion,
      host: this.host,
      owner: () => this.lease.ownerFor(requestId),
      events: this.events,
      logger: this.logger,
      track,
    });
  }

  private async openStream(
    session: SessionMetadata,
    streamId: string,
    afterSeq: number,
    prime: boolean,
    response: ServerResponse,
  ): Promise<void> {
    const writer = this.track(
      new SseWriter(response, { keepaliveMs: this.options.sseKeepaliveMs, highWaterBytes: this.options.sseHighWaterBytes }),
    );
    this.getStreams.add(writer);
    writer.onClose(() => this.getStreams.delete(writer));
    writer.open({});
    if (prime) writer.prime(formatEventId(streamId, afterSeq), this.options.sseRetryMs);
    const release = await this.liveStreams.claim({ sessionId: session.id, streamId, close: () => writer.end() });
    const stop = pumpLog(this.host, session.id, streamId, afterSeq, writer, this.logger);
    writer.onClose(() => {
      stop();
      release();
    });
  }

  private track(writer: SseWriter): SseWriter {
    this.openStreams.add(writer);
    this.telemetry.streamOpened();
    writer.onClose(() => {
      this.openStreams.delete(writer);
      this.telemetry.streamClosed();
    });
    return writer;
  }

  /**
   * A stopping instance takes no new request: 503 sends the client (through the load balancer)
   * elsewhere. Nor does one whose session host was unreachable since startup.
   */
  private refuseWhileStopping(response: ServerResponse): void {
    if (this.draining) {
      response.setHeader('Retry-After', '1');
      response.setHeader('Connection', 'close');
      throw unavailable('This instance is stopping; send the request again (another instance will take it).');
    }
    if (!this.bus.ready) {
      response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
      throw unavailable('This instance cannot reach its session host yet; try again shortly.');
    }
  }

  private checkOrigin(request: McpHttpRequest): void {
    const origin = header(request, 'origin');
    if (origin !== undefined && !isOriginAllowed(origin, this.options.allowedOrigins)) throw forbiddenOrigin(origin);
  }

  /** The origin check, and the CORS headers of an allowed cross-origin request. */
  private admit(request: McpHttpRequest, response: ServerResponse): void {
    this.checkOrigin(request);
    applyCors(request, response, this.options.allowedOrigins);
  }

  private async parseBody(request: McpHttpRequest): Promise<unknown> {
    const body = await takeBody(request, this.options.maxBodyBytes);
    if (body.kind === 'too-large') throw payloadTooLarge(this.options.maxBodyBytes);
    if (body.kind === 'parsed') return body.value;
    try {
      return JSON.parse(body.bytes.toString('utf8'));
    } catch {
      throw parseError();
    }
  }

  /** Maps session-store outages to 503 + Retry-After (never 404/401: clients drop sessions on those). */
  private async guardHost(response: ServerResponse, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (response.headersSent) {
        // Too late for an HTTP status: drop the connection; a resumable client reconnects.
        this.logger.warn(`Request failed mid-response: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.writableEnded) response.destroy();
        return;
      }
      if (error instanceof SessionsPerPrincipalError) {
        response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
        throw tooManySessions(error.message);
      }
      if (!(error instanceof SessionHostUnavailableError || error instanceof SessionLimitError)) throw error;
      response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
      throw unavailable(error.message);
    }
  }
}
