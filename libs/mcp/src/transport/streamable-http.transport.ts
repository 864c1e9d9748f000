import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { principalKey, type McpPrincipal } from '../auth/mcp-principal.js';
import { McpScopePolicy } from '../auth/scope.policy.js';
import { ClientRequests } from '../dispatch/client-requests.service.js';
import { InFlightRequests } from '../dispatch/in-flight-requests.service.js';
import { McpContext, type RequestChannel } from '../dispatch/mcp-context.js';
import { McpDispatcher } from '../dispatch/mcp-dispatcher.service.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import {
  classifyMessage,
  errorResponse,
  JsonRpcErrorCode,
  resultResponse,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../protocol/json-rpc.js';
import { McpError } from '../protocol/mcp.error.js';
import type { ClientCapabilities, Implementation } from '../protocol/mcp.types.js';
import { isSupportedProtocolVersion, negotiateProtocolVersion } from '../protocol/protocol-version.js';
import { formatEventId, parseEventId, STANDALONE_STREAM_ID } from '../session/event-id.js';
import { LiveStreams } from '../session/live-streams.service.js';
import { McpSessionEvents } from '../session/mcp-session-events.service.js';
import { SessionHost, type SessionMetadata } from '../session/session-host.interface.js';
import { isWellFormedSessionId } from '../session/session-id.js';
import { SessionHostUnavailableError, SessionLimitError } from '../session/session.errors.js';
import { SessionService } from '../session/session.service.js';
import {
  accepts,
  badRequest,
  forbiddenOrigin,
  header,
  invalidRequest,
  isJsonContentType,
  isOriginAllowed,
  McpHttpException,
  notAcceptable,
  parseError,
  payloadTooLarge,
  replayConflict,
  sessionNotFound,
  unavailable,
  unsupportedMediaType,
  type McpHttpRequest,
} from './http-rules.js';
import { pumpLog } from './log-pump.js';
import { PostExchange } from './post-exchange.js';
import { takeBody } from './request-body.js';
import { SseWriter } from './sse.writer.js';

/** Seconds a client should wait before retrying when the session store is unavailable or full. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The MCP Streamable HTTP transport (MCP 2025-11-25 `basic/transports`) over Node's own request and
 * response objects, so it serves any Nest HTTP adapter. Status codes follow DESIGN.md, "HTTP answers".
 */
@Injectable()
export class StreamableHttpTransport implements OnModuleDestroy {
  private readonly logger = new Logger('McpTransport');
  private readonly openStreams = new Set<SseWriter>();

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly sessions: SessionService,
    private readonly dispatcher: McpDispatcher,
    private readonly inFlight: InFlightRequests,
    private readonly clientRequests: ClientRequests,
    private readonly liveStreams: LiveStreams,
    private readonly events: McpSessionEvents,
    private readonly scopePolicy: McpScopePolicy,
  ) {}

  onModuleDestroy(): void {
    for (const stream of this.openStreams) stream.end();
    this.openStreams.clear();
  }

  handlePost(request: McpHttpRequest, response: ServerResponse): Promise<void> {
    return this.guardHost(response, async () => {
      this.checkOrigin(request);
      const accept = header(request, 'accept');
      if (!accepts(accept, 'application/json') || !accepts(accept, 'text/event-stream')) {
        throw notAcceptable('both application/json and text/event-stream');
      }
      if (!isJsonContentType(header(request, 'content-type'))) throw unsupportedMediaType();
      this.checkProtocolVersionHeader(request);
      const body = await this.parseBody(request);
      const principal = this.options.resolvePrincipal(request);
      const sessionId = header(request, 'mcp-session-id');

      if (Array.isArray(body)) return this.handleBatch(body, sessionId, principal, response);
      const message = classifyMessage(body);
      if (message.kind === 'invalid') throw invalidRequest(message.reason);
      if (message.kind === 'request' && message.message.method === 'initialize') {
        if (sessionId !== undefined) {
          throw badRequest('initialize must be sent without an Mcp-Session-Id header; this session is already initialized.');
        }
        return this.initialize(message.message, principal, response);
      }
      const session = await this.requireSession(sessionId, principal);
      switch (message.kind) {
        case 'notification':
          await this.handleNotification(message.message, session);
          return this.accepted(response);
        case 'response':
          await this.handleClientResponse(message.message, session);
          return this.accepted(response);
        case 'request':
          // A scoped tool without its scopes: HTTP 403 insufficient_scope (MCP step-up).
          this.scopePolicy.assertAllowed(request, response, message.message, principal);
          return this.serveRequest(message.message, session, principal, response);
      }
    });
  }

  handleGet(request: McpHttpRequest, response: ServerResponse): Promise<void> {
    return this.guardHost(response, async () => {
      this.checkOrigin(request);
      if (!accepts(header(request, 'accept'), 'text/event-stream')) throw notAcceptable('text/event-stream');
      this.checkProtocolVersionHeader(request);
      const principal = this.options.resolvePrincipal(request);
      const session = await this.requireSession(header(request, 'mcp-session-id'), principal);
      const lastEventId = header(request, 'last-event-id');
      const resumeFrom = lastEventId === undefined ? undefined : parseEventId(lastEventId);
      if (lastEventId !== undefined && !resumeFrom) {
        throw badRequest('Last-Event-ID is not an event id this server issued.');
      }
      const streamId = resumeFrom?.streamId ?? STANDALONE_STREAM_ID;
      const info = await this.host.streamInfo(session.id, streamId);
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
      this.checkOrigin(request);
      this.checkProtocolVersionHeader(request);
      const principal = this.options.resolvePrincipal(request);
      const session = await this.requireSession(header(request, 'mcp-session-id'), principal);
      await this.sessions.delete(session.id);
      response.writeHead(HttpStatus.NO_CONTENT).end();
    });
  }

  private async initialize(request: JsonRpcRequest, principal: McpPrincipal, response: ServerResponse): Promise<void> {
    const params = request.params ?? {};
    const { protocolVersion, capabilities, clientInfo } = params;
    if (typeof protocolVersion !== 'string' || protocolVersion.length === 0) {
      throw new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.InvalidParams, 'initialize needs a "protocolVersion" string.');
    }
    if (capabilities !== undefined && (typeof capabilities !== 'object' || capabilities === null)) {
      throw new McpHttpException(HttpStatus.BAD_REQUEST, JsonRpcErrorCode.InvalidParams, 'initialize "capabilities" must be an object.');
    }
    const version = negotiateProtocolVersion(protocolVersion);
    const session = await this.sessions.create({
      principal: principalKey(principal),
      protocolVersion: version,
      clientInfo: this.readClientInfo(clientInfo),
      clientCapabilities: (capabilities ?? {}) as ClientCapabilities,
    });
    const exchange = this.exchange(session, response, { 'Mcp-Session-Id': session.id });
    await exchange.start();
    await exchange.finish(resultResponse(request.id, { ...this.dispatcher.initializeResult(version) }));
  }

  private async serveRequest(
    request: JsonRpcRequest,
    session: SessionMetadata,
    principal: McpPrincipal,
    response: ServerResponse,
  ): Promise<void> {
    const exchange = this.exchange(session, response, {});
    await exchange.start();
    const answer = await this.execute(request, session, principal, exchange);
    await (answer ? exchange.finish(answer) : exchange.abandon());
  }

  /** Runs one request; resolves to its response, or to `undefined` when it was cancelled. */
  private async execute(
    request: JsonRpcRequest,
    session: SessionMetadata,
    principal: McpPrincipal,
    channel: RequestChannel,
  ): Promise<JsonRpcResponse | undefined> {
    const controller = this.inFlight.start(session.id, request.id);
    if (!controller) {
      return errorResponse(request.id, {
        code: JsonRpcErrorCode.InvalidRequest,
        message: `Request id ${JSON.stringify(request.id)} is already in use by a running request of this session.`,
      });
    }
    const ctx = new McpContext({
      session,
      requestId: request.id,
      auth: principal,
      signal: controller.signal,
      meta: request.params?._meta as Record<string, unknown> | undefined,
      channel,
      client: this.clientRequests,
      defaultLogLevel: this.options.defaultLogLevel,
    });
    try {
      const result = await this.dispatcher.dispatch(request, ctx);
      return controller.signal.aborted ? undefined : resultResponse(request.id, { ...result });
    } catch (error) {
      if (controller.signal.aborted) return undefined;
      if (error instanceof McpError) return errorResponse(request.id, error.toJsonRpc());
      this.logger.error(`${request.method} failed`, error instanceof Error ? error.stack : String(error));
      return errorResponse(request.id, { code: JsonRpcErrorCode.InternalError, message: 'Internal error' });
    } finally {
      this.inFlight.finish(session.id, request.id, controller);
    }
  }

  /**
   * JSON-RPC batches: only sessions that negotiated 2025-03-26 may send them (that revision
   * requires receiving them; 2025-06-18 removed batching). Answered as one JSON array.
   */
  private async handleBatch(
    batch: unknown[],
    sessionId: string | undefined,
    principal: McpPrincipal,
    response: ServerResponse,
  ): Promise<void> {
    if (sessionId === undefined) throw invalidRequest('batches are not supported (initialize cannot be batched).');
    const session = await this.requireSession(sessionId, principal);
    if (session.protocolVersion !== '2025-03-26') {
      throw invalidRequest(`JSON-RPC batches are not supported in protocol version ${session.protocolVersion}.`);
    }
    const messages = batch.map(classifyMessage);
    if (messages.length === 0 || messages.some((message) => message.kind === 'invalid')) {
      throw invalidRequest('a batch must be a non-empty array of JSON-RPC messages.');
    }
    const standalone: RequestChannel = {
      send: (outbound) => this.events.sendStandalone(session.id, outbound).then(() => undefined),
    };
    const answers = await Promise.all(
      messages.map(async (message) => {
        if (message.kind === 'request') {
          if (message.message.method === 'initialize') {
            return errorResponse(message.message.id, { code: JsonRpcErrorCode.InvalidRequest, message: 'initialize cannot be batched.' });
          }
          return this.execute(message.message, session, principal, standalone);
        }
        if (message.kind === 'notification') await this.handleNotification(message.message, session);
        if (message.kind === 'response') await this.handleClientResponse(message.message, session);
        return undefined;
      }),
    );
    const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
    if (responses.length === 0) return this.accepted(response);
    response.writeHead(HttpStatus.OK, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(responses));
  }

  private async handleNotification(notification: JsonRpcNotification, session: SessionMetadata): Promise<void> {
    const params = notification.params ?? {};
    switch (notification.method) {
      case 'notifications/initialized':
        await this.sessions.markInitialized(session.id);
        return;
      case 'notifications/cancelled': {
        const { requestId, reason } = params;
        if (typeof requestId === 'string' || typeof requestId === 'number') {
          await this.inFlight.cancel(session.id, requestId, typeof reason === 'string' ? reason : undefined);
        }
        return;
      }
      default:
        return;
    }
  }

  private handleClientResponse(message: JsonRpcResponse, session: SessionMetadata): Promise<void> {
    return this.clientRequests.deliver(session.id, message);
  }


  private async openStream(
    session: SessionMetadata,
    streamId: string,
    afterSeq: number,
    prime: boolean,
    response: ServerResponse,
  ): Promise<void> {
    const writer = this.track(new SseWriter(response, this.sseOptions()));
    writer.open({});
    if (prime) writer.prime(formatEventId(streamId, afterSeq), this.options.sseRetryMs);
    const release = await this.liveStreams.claim({ sessionId: session.id, streamId, close: () => writer.end() });
    const stop = pumpLog(this.host, session.id, streamId, afterSeq, writer, this.logger);
    writer.onClose(() => {
      stop();
      release();
    });
    if (writer.closed) {
      stop();
      release();
    }
  }

  private exchange(session: SessionMetadata, response: ServerResponse, headers: Record<string, string>): PostExchange {
    return new PostExchange(response, headers, {
      ...this.sseOptions(),
      mode: this.options.responseMode,
      retryMs: this.options.sseRetryMs,
      sessionId: session.id,
      protocolVersion: session.protocolVersion,
      host: this.host,
      events: this.events,
      logger: this.logger,
      track: (writer) => this.track(writer),
    });
  }

  private track(writer: SseWriter): SseWriter {
    this.openStreams.add(writer);
    writer.onClose(() => this.openStreams.delete(writer));
    return writer;
  }

  private sseOptions() {
    return { keepaliveMs: this.options.sseKeepaliveMs, highWaterBytes: this.options.sseHighWaterBytes };
  }

  private async requireSession(sessionId: string | undefined, principal: McpPrincipal): Promise<SessionMetadata> {
    if (sessionId === undefined) throw badRequest('Missing Mcp-Session-Id header; send initialize first to create a session.');
    const session = isWellFormedSessionId(sessionId) ? await this.sessions.load(sessionId, principalKey(principal)) : undefined;
    if (!session) throw sessionNotFound();
    return session;
  }

  private checkOrigin(request: McpHttpRequest): void {
    const origin = header(request, 'origin');
    if (origin !== undefined && !isOriginAllowed(origin, this.options.allowedOrigins)) throw forbiddenOrigin(origin);
  }

  /** Absent means 2025-03-26 (MCP 2025-11-25 `basic/transports`); any supported revision is accepted. */
  private checkProtocolVersionHeader(request: McpHttpRequest): void {
    const version = header(request, 'mcp-protocol-version');
    if (version !== undefined && !isSupportedProtocolVersion(version)) {
      throw badRequest(`Unsupported MCP-Protocol-Version ${JSON.stringify(version)}.`);
    }
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

  private accepted(response: ServerResponse): void {
    response.writeHead(HttpStatus.ACCEPTED).end();
  }

  private readClientInfo(value: unknown): Implementation | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const { name, version } = value as Record<string, unknown>;
    return typeof name === 'string' && typeof version === 'string' ? (value as Implementation) : undefined;
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
      if (!(error instanceof SessionHostUnavailableError || error instanceof SessionLimitError)) throw error;
      response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
      throw unavailable(error.message);
    }
  }
}
