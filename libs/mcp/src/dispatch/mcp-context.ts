import type { McpPrincipal } from '../auth/mcp-principal.js';
import type { JsonRpcId, OutboundMessage } from '../protocol/json-rpc.js';
import { McpClientCapabilityError, McpToolError } from '../protocol/mcp.error.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitResult,
  LoggingLevel,
  Root,
} from '../protocol/mcp.types.js';
import { compileSchema, isStandardSchema, type StandardJsonSchema } from '../registry/schema.compiler.js';
import type { SessionMetadata } from '../session/session-host.interface.js';
import type { McpNotification } from '../session/mcp-session-events.service.js';
import type { ClientRequestOptions } from './client-requests.service.js';

/** Carries the messages a handler sends while its request runs (the request's own stream). */
export interface RequestChannel {
  send(message: OutboundMessage): Promise<void>;
  /** Ends the current connection of a resumable stream without ending the stream (SSE polling). */
  disconnect?(): Promise<void>;
}

/** Sends requests to the client and waits for their answers (implemented by `ClientRequests`). */
export interface ClientRequester {
  request(
    sessionId: string,
    channel: RequestChannel,
    method: string,
    params: Record<string, unknown>,
    options?: ClientRequestOptions,
  ): Promise<Record<string, unknown>>;
}

export type ProgressToken = string | number;

export interface McpContextInit {
  session: SessionMetadata;
  requestId: JsonRpcId;
  auth: McpPrincipal;
  signal: AbortSignal;
  meta: Record<string, unknown> | undefined;
  channel: RequestChannel;
  client: ClientRequester;
  defaultLogLevel: LoggingLevel;
}

/** RFC 5424 severities in increasing order, as MCP 2025-11-25 `server/utilities/logging` lists them. */
export const LOGGING_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** Form-mode elicitation: a message and a flat object schema (JSON Schema or zod 4). */
export interface ElicitFormParams<T = Record<string, unknown>> {
  mode?: 'form';
  message: string;
  requestedSchema: Record<string, unknown> | StandardJsonSchema<unknown, T>;
}

/** The user's answer to an elicitation; `content` only when `action` is `accept` (form mode). */
export interface McpElicitResult<T = Record<string, unknown>> {
  action: ElicitResult['action'];
  content?: T;
}

/** URL-mode elicitation (MCP 2025-11-25, SEP-1036): the client opens `url` for the user. */
export interface ElicitUrlParams {
  mode: 'url';
  message: string;
  url: string;
  elicitationId: string;
}

/**
 * What a tool, resource or prompt handler knows about the request it serves, and how it talks back
 * while running. One per request; handlers never see the transport.
 */
export class McpContext {
  /** The session the request belongs to. */
  readonly sessionId: string;
  /** JSON-RPC id of the request. */
  readonly requestId: JsonRpcId;
  /** The caller (anonymous without authentication). */
  readonly auth: McpPrincipal;
  /** Aborted when the client cancels the request or the session ends. */
  readonly signal: AbortSignal;
  /** Revision negotiated for the session. */
  readonly protocolVersion: string;
  /** `_meta` of the request, as the client sent it. */
  readonly meta: Record<string, unknown>;
  private readonly session: SessionMetadata;
  private readonly channel: RequestChannel;
  private readonly client: ClientRequester;
  private readonly minimumLogLevel: number;
  private lastProgress = -Infinity;

  constructor(init: McpContextInit) {
    this.session = init.session;
    this.sessionId = init.session.id;
    this.requestId = init.requestId;
    this.auth = init.auth;
    this.signal = init.signal;
    this.protocolVersion = init.session.protocolVersion;
    this.meta = init.meta ?? {};
    this.channel = init.channel;
    this.client = init.client;
    this.minimumLogLevel = LOGGING_LEVELS.indexOf(init.session.logLevel ?? init.defaultLogLevel);
  }

  /** Name and version the client announced at `initialize`. */
  get clientInfo(): SessionMetadata['clientInfo'] {
    return this.session.clientInfo;
  }

  /** Capabilities the client announced at `initialize`. */
  get clientCapabilities(): ClientCapabilities {
    return this.session.clientCapabilities;
  }

  /** The token the client asked progress to be reported with, if any. */
  get progressToken(): ProgressToken | undefined {
    const token = this.meta.progressToken;
    return typeof token === 'string' || typeof token === 'number' ? token : undefined;
  }

  /**
   * Reports progress (`notifications/progress`). Sent only when the client supplied a progress
   * token; `progress` must grow with each call (MCP 2025-11-25 `basic/utilities/progress`), so a
   * value not above the previous one is dropped.
   */
  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const progressToken = this.progressToken;
    if (progressToken === undefined || this.signal.aborted || !(progress > this.lastProgress)) return;
    this.lastProgress = progress;
    await this.channel.send({
      method: 'notifications/progress',
      params: {
        progressToken,
        progress,
        ...(total !== undefined && { total }),
        ...(message !== undefined && { message }),
      },
    });
  }

  /**
   * Sends a log message to the client (`notifications/message`) when `level` is at or above the
   * level the session chose with `logging/setLevel` (default: the module's `defaultLogLevel`).
   */
  async log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    const severity = LOGGING_LEVELS.indexOf(level);
    if (severity < 0) throw new TypeError(`Unknown log level ${JSON.stringify(level)}.`);
    if (severity < this.minimumLogLevel || this.signal.aborted) return;
    await this.channel.send({ method: 'notifications/message', params: { level, data, ...(logger && { logger }) } });
  }

  /**
   * Closes the HTTP connection of this request's SSE stream without ending the stream (MCP
   * 2025-11-25 `basic/transports`, SSE polling, SEP-1699): the client reconnects with GET and
   * `Last-Event-ID` after the `retry` delay and receives everything sent since, the result included.
   * Useful before long waits, so no connection is held open. Does nothing in `json` response mode.
   */
  closeSseStream(): Promise<void> {
    return this.channel.disconnect?.() ?? Promise.resolve();
  }

  /** Sends a notification related to this request on the request's stream. */
  notify(notification: McpNotification): Promise<void> {
    return this.channel.send(notification);
  }

  /**
   * Asks the client's model for a completion (`sampling/createMessage`, MCP 2025-11-25
   * `client/sampling`). Needs the client's `sampling` capability (`sampling.tools` when `tools` are
   * passed), else rejects with `McpClientCapabilityError`; rejects with `McpClientRequestError` when
   * the client answers with an error or not within the timeout. Uncaught in a tool, both become a
   * tool error.
   */
  async sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult> {
    const sampling = this.requireCapability('sampling') as Record<string, unknown>;
    if (params.tools && !sampling.tools) throw new McpClientCapabilityError('sampling.tools');
    return (await this.ask('sampling/createMessage', params, options)) as CreateMessageResult;
  }

  /**
   * Asks the user for input through the client (`elicitation/create`, MCP 2025-11-25
   * `client/elicitation`): a form described by a flat schema, or a URL to open (`mode: 'url'`,
   * needs `elicitation.url`). With a zod schema the accepted content is validated and typed.
   * Fails like {@link sample}.
   */
  async elicit<T = Record<string, unknown>>(
    params: ElicitFormParams<T> | ElicitUrlParams,
    options?: ClientRequestOptions,
  ): Promise<McpElicitResult<T>> {
    const elicitation = this.requireCapability('elicitation') as Record<string, unknown>;
    if (params.mode === 'url') {
      if (!elicitation.url) throw new McpClientCapabilityError('elicitation.url');
      return (await this.ask('elicitation/create', { ...params }, options)) as unknown as McpElicitResult<T>;
    }
    // An empty `elicitation: {}` means form mode only (2025-11-25); `{ url: {} }` alone excludes forms.
    if (elicitation.url && !elicitation.form) throw new McpClientCapabilityError('elicitation.form');
    const { requestedSchema, ...rest } = params;
    const schema = isStandardSchema(requestedSchema) ? compileSchema(requestedSchema, 'input', 'ctx.elicit()') : undefined;
    const result = (await this.ask(
      'elicitation/create',
      { ...rest, requestedSchema: schema?.jsonSchema ?? requestedSchema },
      options,
    )) as ElicitResult;
    if (!schema || result.action !== 'accept') return result as McpElicitResult<T>;
    const checked = await schema.validate(result.content ?? {});
    if (!checked.ok) throw new McpToolError(`The client returned elicited content that does not match the form: ${checked.message}`);
    return { ...result, content: checked.value as T };
  }

  /** Asks the client for its roots (`roots/list`, MCP 2025-11-25 `client/roots`). Fails like {@link sample}. */
  async listRoots(options?: ClientRequestOptions): Promise<Root[]> {
    this.requireCapability('roots');
    const result = await this.ask('roots/list', {}, options);
    return (result.roots ?? []) as Root[];
  }

  private requireCapability(name: 'sampling' | 'elicitation' | 'roots'): unknown {
    const capability = this.session.clientCapabilities[name];
    if (typeof capability !== 'object' || capability === null) throw new McpClientCapabilityError(name);
    return capability;
  }

  private ask(method: string, params: Record<string, unknown>, options?: ClientRequestOptions) {
    return this.client.request(this.sessionId, this.channel, method, params, { signal: this.signal, ...options });
  }
}
