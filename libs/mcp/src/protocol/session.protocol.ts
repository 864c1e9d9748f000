import { Inject, Injectable } from '@nestjs/common';
import { principalKey, type McpPrincipal } from '../auth/mcp-principal.js';
import { ClientRequests } from '../dispatch/client-requests.service.js';
import { InFlightRequests } from '../dispatch/in-flight-requests.service.js';
import type { ClientInput, McpRequestScope, RequestChannel } from '../dispatch/mcp-context.js';
import { McpDispatcher } from '../dispatch/mcp-dispatcher.service.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { McpSessionEvents } from '../session/mcp-session-events.service.js';
import type { SessionMetadata } from '../session/session-host.interface.js';
import { isWellFormedSessionId } from '../session/session-id.js';
import { SessionService } from '../session/session.service.js';
import {
  classifyMessage,
  errorResponse,
  JsonRpcErrorCode,
  resultResponse,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from './json-rpc.js';
import { McpError } from './mcp.error.js';
import type { ClientCapabilities, Implementation } from './mcp.types.js';
import type { PostReply, TraceCarrier } from './post-reply.js';
import { isLegacyProtocolVersion, negotiateLegacyProtocolVersion } from './protocol-version.js';
import { RequestRunner, type RunOutcome } from './request-runner.service.js';

const invalidRequest = (message: string) => new McpError(JsonRpcErrorCode.InvalidRequest, `Invalid request: ${message}`);

/** The response to a request that ran, or `undefined` when it was cancelled (no response at all). */
export function responseOf(id: JsonRpcId, outcome: RunOutcome): JsonRpcResponse | undefined {
  if (outcome.kind === 'result') return resultResponse(id, outcome.result);
  if (outcome.kind === 'error') return errorResponse(id, outcome.error);
  return undefined;
}

/**
 * The 2025 protocol era (MCP 2025-11-25 `basic/lifecycle`, `basic/transports`): `initialize` opens
 * a session bound to its principal; every later message names it. Serves the POSTed messages of a
 * session — requests, notifications, the client's responses and (2025-03-26) batches — and
 * refuses with `McpError`s that the transport answers with an HTTP status.
 */
@Injectable()
export class SessionProtocol {
  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    private readonly sessions: SessionService,
    private readonly dispatcher: McpDispatcher,
    private readonly runner: RequestRunner,
    private readonly inFlight: InFlightRequests,
    private readonly clientRequests: ClientRequests,
    private readonly events: McpSessionEvents,
  ) {}

  /** Refuses an `MCP-Protocol-Version` header naming a revision this endpoint does not serve to sessions. */
  checkVersionHeader(version: string | undefined): void {
    if (version !== undefined && !(isLegacyProtocolVersion(version) && this.options.protocolVersions.includes(version))) {
      throw McpError.unsupportedProtocolVersion(version, this.options.protocolVersions);
    }
  }

  async serve(body: unknown, sessionId: string | undefined, principal: McpPrincipal, reply: PostReply): Promise<void> {
    if (Array.isArray(body)) return this.serveBatch(body, sessionId, principal, reply);
    const message = classifyMessage(body);
    if (message.kind === 'invalid') throw invalidRequest(message.reason);
    if (message.kind === 'request' && message.message.method === 'initialize') {
      if (sessionId !== undefined) {
        throw invalidRequest('initialize must be sent without an Mcp-Session-Id header; this session is already initialized.');
      }
      return this.initialize(message.message, principal, reply);
    }
    const session = await this.requireSession(sessionId, principal);
    switch (message.kind) {
      case 'notification':
        await this.handleNotification(message.message, session);
        return reply.accepted();
      case 'response':
        await this.clientRequests.deliver(session.id, message.message);
        return reply.accepted();
      case 'request': {
        // A scoped tool without its scopes: HTTP 403 insufficient_scope (MCP step-up).
        reply.authorize(message.message);
        const stream = reply.stream({
          requestId: message.message.id,
          session: { id: session.id, protocolVersion: session.protocolVersion },
        });
        await stream.start();
        const outcome = await this.execute(message.message, session, principal, stream, reply.traceCarrier);
        const response = responseOf(message.message.id, outcome);
        await (response ? stream.finish(response) : stream.abandon());
        return;
      }
    }
  }

  /** The caller's session named by `Mcp-Session-Id`; refuses a missing header (400) and an unknown or foreign session (404). */
  async requireSession(sessionId: string | undefined, principal: McpPrincipal): Promise<SessionMetadata> {
    if (sessionId === undefined) throw invalidRequest('the Mcp-Session-Id header is missing; send initialize first to create a session.');
    const session = isWellFormedSessionId(sessionId) ? await this.sessions.load(sessionId, principalKey(principal)) : undefined;
    if (!session) {
      throw new McpError(
        JsonRpcErrorCode.SessionNotFound,
        'Session not found: it expired, was deleted or never existed. Initialize a new session.',
      );
    }
    return session;
  }

  private async initialize(request: JsonRpcRequest, principal: McpPrincipal, reply: PostReply): Promise<void> {
    const { protocolVersion, capabilities, clientInfo } = request.params ?? {};
    if (typeof protocolVersion !== 'string' || protocolVersion.length === 0) {
      throw McpError.invalidParams('initialize needs a "protocolVersion" string.');
    }
    if (capabilities !== undefined && (typeof capabilities !== 'object' || capabilities === null)) {
      throw McpError.invalidParams('initialize "capabilities" must be an object.');
    }
    if (!this.options.protocolVersions.some(isLegacyProtocolVersion)) {
      // 2026-07-28 `basic/versioning`: a modern-only server names its versions to legacy clients.
      throw McpError.unsupportedProtocolVersion(
        protocolVersion,
        this.options.protocolVersions,
        ' This server has no sessions: send stateless 2026-07-28 requests.',
      );
    }
    const version = negotiateLegacyProtocolVersion(protocolVersion, this.options.protocolVersions);
    const session = await this.sessions.create({
      principal: principalKey(principal),
      protocolVersion: version,
      clientInfo: readClientInfo(clientInfo),
      clientCapabilities: (capabilities ?? {}) as ClientCapabilities,
    });
    const stream = reply.stream({
      requestId: request.id,
      session: { id: session.id, protocolVersion: version },
      headers: { 'Mcp-Session-Id': session.id },
    });
    await stream.start();
    await stream.finish(resultResponse(request.id, { ...this.dispatcher.initializeResult(version) }));
  }

  private execute(
    request: JsonRpcRequest,
    session: SessionMetadata,
    auth: McpPrincipal,
    channel: RequestChannel,
    traceCarrier: TraceCarrier,
  ): Promise<RunOutcome> {
    const input = this.inputOf(session, channel);
    return this.runner.run({ request, scope: this.scopeOf(session), auth, channel, input, owner: session.id, traceCarrier });
  }

  /**
   * JSON-RPC batches: only sessions that negotiated 2025-03-26 may send them (that revision
   * requires receiving them; 2025-06-18 removed batching). Answered as one JSON array.
   */
  private async serveBatch(batch: unknown[], sessionId: string | undefined, principal: McpPrincipal, reply: PostReply): Promise<void> {
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
          return responseOf(message.message.id, await this.execute(message.message, session, principal, standalone, reply.traceCarrier));
        }
        if (message.kind === 'notification') await this.handleNotification(message.message, session);
        if (message.kind === 'response') await this.clientRequests.deliver(session.id, message.message);
        return undefined;
      }),
    );
    const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
    if (responses.length === 0) return reply.accepted();
    reply.json(responses);
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

  private scopeOf(session: SessionMetadata): McpRequestScope {
    return {
      era: 'legacy',
      protocolVersion: session.protocolVersion,
      sessionId: session.id,
      clientInfo: session.clientInfo,
      clientCapabilities: session.clientCapabilities,
      logLevel: session.logLevel ?? this.options.defaultLogLevel,
    };
  }

  /** Questions to the client go on the request's stream; the answers come back as POSTs to any node. */
  private inputOf(session: SessionMetadata, channel: RequestChannel): ClientInput {
    return {
      ask: (requests, options) =>
        Promise.all(requests.map(({ method, params }) => this.clientRequests.request(session.id, channel, method, params, options))),
    };
  }
}

function readClientInfo(value: unknown): Implementation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, version } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof version === 'string' ? (value as Implementation) : undefined;
}
