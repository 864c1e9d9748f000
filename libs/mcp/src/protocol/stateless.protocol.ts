import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { principalKey, type McpPrincipal } from '../auth/mcp-principal.js';
import { McpDispatcher } from '../dispatch/mcp-dispatcher.service.js';
import { MCP_OPTIONS } from '../mcp.constants.js';
import type { ResolvedMcpOptions } from '../mcp.options.js';
import { ListenHub } from '../session/listen-hub.service.js';
import { SessionHost } from '../session/session-host.interface.js';
import {
  classifyMessage,
  errorResponse,
  JsonRpcErrorCode,
  resultResponse,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from './json-rpc.js';
import { INPUT_METHODS, InputRound } from './input-round.js';
import { McpError } from './mcp.error.js';
import { CREATED_TASK } from '../tasks/task-result.js';
import type { PostReply } from './post-reply.js';
import { META_SERVER_INFO } from './protocol-era.js';
import { isModernProtocolVersion } from './protocol-version.js';
import { readRequestMeta, type ModernRequestMeta } from './request-meta.js';
import { RequestRunner, type RunOutcome } from './request-runner.service.js';
import { digestOf, RequestStateCodec, RequestStateIntegrityError, type RequestStatePayload } from './request-state.codec.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Params that identify a request across its rounds: everything but `_meta` and the MRTR fields. */
function salientParams(params: Record<string, unknown>): Record<string, unknown> {
  const { _meta, inputResponses, requestState, ...salient } = params;
  return salient;
}

/**
 * The 2026-07-28 protocol era (MCP 2026-07-28 `basic/index`, "Statelessness"): every request
 * carries its version and client capabilities, is served on its own, and may take several rounds
 * when its handler needs client input (`basic/patterns/mrtr`). The rounds' state travels sealed in
 * `requestState`; redeeming one is recorded in the SessionHost, so it works once on any instance.
 */
@Injectable()
export class StatelessProtocol implements OnModuleInit {
  private readonly logger = new Logger('McpStateless');
  private readonly codec: RequestStateCodec;
  private requests = 0;

  constructor(
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(SessionHost) private readonly host: SessionHost,
    private readonly dispatcher: McpDispatcher,
    private readonly runner: RequestRunner,
    private readonly listens: ListenHub,
  ) {
    this.codec = new RequestStateCodec(options.requestStateSecret ?? randomBytes(32));
  }

  onModuleInit(): void {
    // With a host of this process only (the memory host) this process serves the retry, and it has the key.
    const shared = this.host.connection !== undefined;
    if (shared && this.options.requestStateSecret === undefined && this.options.protocolVersions.some(isModernProtocolVersion)) {
      this.logger.warn(
        'No requestStateSecret: 2026-07-28 requestState is sealed with a random key of this process, so a retry of an ' +
          'input_required request only works on this instance. Set the same secret on every instance.',
      );
    }
  }

  /**
   * What a 2026-07-28 client sent: a request or a notification (what a notification means is the
   * transport's: nothing over HTTP, a cancellation over stdio). -32600 for anything else, a
   * JSON-RPC response included: 2026-07-28 clients answer in `inputResponses`.
   */
  classify(body: unknown): { kind: 'request'; message: JsonRpcRequest } | { kind: 'notification'; message: JsonRpcNotification } {
    const message = classifyMessage(body);
    if (message.kind === 'invalid') throw new McpError(JsonRpcErrorCode.InvalidRequest, `Invalid request: ${message.reason}`);
    if (message.kind === 'response') {
      throw new McpError(
        JsonRpcErrorCode.InvalidRequest,
        'Invalid request: a 2026-07-28 client sends no JSON-RPC responses; input goes in inputResponses.',
      );
    }
    return message;
  }

  /** The request's `_meta` protocol fields; -32602 when one is missing or malformed. */
  readMeta(request: JsonRpcRequest): ModernRequestMeta {
    return readRequestMeta(request.params);
  }

  /** -32022 naming every served revision when the request's is not one of the served modern ones. */
  checkVersion(meta: ModernRequestMeta): void {
    const version = meta.protocolVersion;
    if (!(isModernProtocolVersion(version) && this.options.protocolVersions.includes(version))) {
      const hint = this.options.protocolVersions.includes(version as never)
        ? ` ${version} is served to sessions: send initialize first.`
        : '';
      throw McpError.unsupportedProtocolVersion(version, this.options.protocolVersions, hint);
    }
  }

  /**
   * Serves a request whose `_meta`, version and headers were checked. Refusals before dispatch are
   * `McpError`s the transport answers with an HTTP status: -32601 for a method 2026-07-28 does not
   * have or whose capability is not advertised, -32602 for unusable `requestState`/`inputResponses`.
   */
  async serve(request: JsonRpcRequest, meta: ModernRequestMeta, principal: McpPrincipal, reply: PostReply): Promise<void> {
    this.dispatcher.assertModernMethod(request.method);
    reply.authorize(request);
    const listening = request.method === 'subscriptions/listen';
    if (listening) this.listens.assertRoom();
    const round = await this.openRound(request, principal);
    const stream = reply.stream({ requestId: request.id, alwaysStream: listening });
    await stream.start();
    const outcome = await this.runner.run({
      request,
      scope: {
        era: 'modern',
        protocolVersion: meta.protocolVersion,
        clientInfo: meta.clientInfo,
        clientCapabilities: meta.clientCapabilities,
        logLevel: meta.logLevel,
      },
      auth: principal,
      channel: stream,
      input: round,
      owner: `stateless:${++this.requests}`,
      cancelWhen: stream.clientGone,
      traceCarrier: reply.traceCarrier,
    });
    const response = this.respond(request, outcome, round, principal);
    await (response ? stream.finish(response) : stream.abandon());
  }

  private respond(request: JsonRpcRequest, outcome: RunOutcome, round: InputRound, principal: McpPrincipal): JsonRpcResponse | undefined {
    if (outcome.kind === 'cancelled') return undefined;
    const serverInfo = { [META_SERVER_INFO]: this.dispatcher.serverInfo };
    if (outcome.kind === 'input_required') {
      return resultResponse(request.id, {
        resultType: 'input_required',
        inputRequests: round.inputRequests(),
        requestState: this.seal(request, principal, round),
        _meta: serverInfo,
      });
    }
    if (outcome.kind === 'error') return errorResponse(request.id, outcome.error);
    const { result } = outcome;
    const resultType = CREATED_TASK in result ? 'task' : 'complete';
    return resultResponse(request.id, { ...result, resultType, _meta: { ...(result._meta as object), ...serverInfo } });
  }

  /** The client input of this round: answers carried in a verified `requestState` and the client's `inputResponses`. */
  private async openRound(request: JsonRpcRequest, principal: McpPrincipal): Promise<InputRound> {
    const params = request.params ?? {};
    if (!INPUT_METHODS.has(request.method)) return new InputRound(request.method, undefined, undefined);
    const { inputResponses, requestState } = params;
    if (inputResponses !== undefined && !isObject(inputResponses)) {
      throw McpError.invalidParams('inputResponses must be an object whose keys are those of the inputRequests it answers.');
    }
    if (requestState === undefined) return new InputRound(request.method, undefined, inputResponses);
    if (typeof requestState !== 'string') throw McpError.invalidParams('requestState must be the string the server returned.');
    return new InputRound(request.method, await this.redeem(requestState, request, principal), inputResponses);
  }

  /**
   * Opens a `requestState` and checks it belongs to this caller, this request, and the present,
   * then records it as used: each state is redeemed once, on any instance (MRTR "Server
   * Requirements", replay protection).
   */
  private async redeem(token: string, request: JsonRpcRequest, principal: McpPrincipal): Promise<RequestStatePayload> {
    let state: RequestStatePayload;
    try {
      state = this.codec.open(token);
    } catch (error) {
      if (!(error instanceof RequestStateIntegrityError)) throw error;
      throw McpError.invalidParams(
        'requestState failed its integrity check: it was altered, or sealed by a server with another requestStateSecret. Send the request again without requestState.',
      );
    }
    const again = 'Send the request again without requestState.';
    if (state.principal !== principalKey(principal)) throw McpError.invalidParams(`requestState was issued to another caller. ${again}`);
    if (state.method !== request.method || state.digest !== digestOf(salientParams(request.params ?? {}))) {
      throw McpError.invalidParams(
        'requestState was issued for a different request: retry with the same method and params as the request that returned it.',
      );
    }
    const remainingMs = state.expiresAt - Date.now();
    if (remainingMs <= 0) throw McpError.invalidParams(`requestState expired. ${again}`);
    if (!(await this.host.claimOnce(`request-state:${state.nonce}`, remainingMs))) {
      throw McpError.invalidParams(`requestState was already used; each input_required result can be answered once. ${again}`);
    }
    return state;
  }

  private seal(request: JsonRpcRequest, principal: McpPrincipal, round: InputRound): string {
    return this.codec.seal({
      principal: principalKey(principal),
      method: request.method,
      digest: digestOf(salientParams(request.params ?? {})),
      expiresAt: Date.now() + this.options.requestStateTtlMs,
      nonce: randomBytes(16).toString('base64url'),
      ...round.carriedState(),
    });
  }
}
