import { randomUUID } from 'node:crypto';
import type { McpPrincipal } from '../auth/mcp-principal.js';
import type { JsonRpcId, OutboundMessage } from '../protocol/json-rpc.js';
import { McpClientCapabilityError, McpToolError } from '../protocol/mcp.error.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitResult,
  Implementation,
  LoggingLevel,
  Root,
} from '../protocol/mcp.types.js';
import { compileSchema, isStandardSchema, type StandardJsonSchema } from '../registry/schema.compiler.js';
import type { McpNotification } from '../session/mcp-session-events.service.js';
import type { RequestCancellation } from '../protocol/request-cancellation.js';

/** Carries the messages a handler sends while its request runs (the request's own stream). */
export interface RequestChannel {
  send(message: OutboundMessage): Promise<void>;
  /** Ends the current connection of a resumable stream without ending the stream (SSE polling). */
  disconnect?(): Promise<void>;
}

/**
 * `legacy`: a 2025 session opened by `initialize`; `modern`: a stateless 2026-07-28 request whose
 * `_meta` carries version, client and capabilities (MCP 2026-07-28 `basic/versioning`).
 */
export type McpProtocolEra = 'legacy' | 'modern';

/** What the protocol layer learned about a request before dispatch, in either era. */
export interface McpRequestScope {
  era: McpProtocolEra;
  protocolVersion: string;
  /** The session (legacy only). */
  sessionId?: string;
  clientInfo?: Implementation;
  clientCapabilities: ClientCapabilities;
  /** Lowest level of `notifications/message` the client wants; `undefined`: none at all. */
  logLevel?: LoggingLevel;
}

/** One request to the client, as it goes on the wire. */
export interface ClientInputRequest {
  /** Name of the request in a 2026 `inputRequests` map; generated when absent. */
  key?: string;
  method: 'sampling/createMessage' | 'elicitation/create' | 'roots/list';
  params: Record<string, unknown>;
}

export interface ClientInputOptions {
  /** How long to wait for the client's answer (2025 sessions). Default: the module's `clientRequestTimeoutMs`. */
  timeoutMs?: number;
  /** Abandons the request (and tells the client so) when it fires. */
  signal?: AbortSignal;
}

/**
 * Asks the client for input. In a 2025 session the requests go to the client on the request's
 * stream and the answers come back as POSTs; in 2026-07-28 they become an `input_required` result
 * and the answers arrive with the client's retry (MCP 2026-07-28 `basic/patterns/mrtr`).
 */
export interface ClientInput {
  /** Resolves to the client's results, in the order of `requests`. */
  ask(requests: readonly ClientInputRequest[], options: ClientInputOptions): Promise<Record<string, unknown>[]>;
  /** Whether the request must end asking the client (2026-07-28 `input_required`); never for sessions. */
  readonly needsInput?: boolean;
}

/** Options of `ctx.sample()`, `ctx.elicit()` and `ctx.listRoots()`. */
export interface McpInputOptions extends ClientInputOptions {
  /**
   * Name of this question in the `inputRequests` of a 2026-07-28 `input_required` result. Default:
   * generated from the order of the questions. Ignored in 2025 sessions.
   */
  key?: string;
}

export type ProgressToken = string | number;

export interface McpContextInit {
  scope: McpRequestScope;
  requestId: JsonRpcId;
  auth: McpPrincipal;
  cancellation: RequestCancellation;
  meta: Record<string, unknown> | undefined;
  channel: RequestChannel;
  input: ClientInput;
}

/** RFC 5424 severities in increasing order, as MCP `server/utilities/logging` lists them. */
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

/**
 * URL-mode elicitation (MCP 2025-11-25, SEP-1036): the client opens `url` for the user.
 * `elicitationId` goes to 2025 clients only (generated when absent); 2026-07-28 removed it.
 */
export interface ElicitUrlParams {
  mode: 'url';
  message: string;
  url: string;
  elicitationId?: string;
}

/** One question of {@link McpContext.requestInputs}. */
export type McpInputRequest<T = Record<string, unknown>> =
  { elicit: ElicitFormParams<T> | ElicitUrlParams } | { sample: CreateMessageParams } | { listRoots: true };

/** The answer to one {@link McpInputRequest}. */
export type McpInputResult<R> = R extends { elicit: ElicitFormParams<infer T> }
  ? McpElicitResult<T>
  : R extends { elicit: ElicitUrlParams }
    ? McpElicitResult
    : R extends { sample: CreateMessageParams }
      ? CreateMessageResult
      : R extends { listRoots: true }
        ? Root[]
        : never;

/** A question checked against the client's capabilities, ready to send, with how to read its answer. */
interface PreparedInput {
  request: ClientInputRequest;
  read(result: Record<string, unknown>): Promise<unknown>;
}

/**
 * What a tool, resource or prompt handler knows about the request it serves, and how it talks back
 * while running. One per request; handlers never see the transport. The same handler serves 2025
 * sessions and stateless 2026-07-28 requests.
 */
export class McpContext {
  /** The session the request belongs to (2025 sessions); `undefined` for stateless 2026-07-28 requests. */
  readonly sessionId: string | undefined;
  /** JSON-RPC id of the request. */
  readonly requestId: JsonRpcId;
  /** The caller (anonymous without authentication). */
  readonly auth: McpPrincipal;
  /** Revision of the request: negotiated for the session, or declared by the 2026 request itself. */
  readonly protocolVersion: string;
  /** `legacy` (2025 session) or `modern` (stateless 2026-07-28). */
  readonly protocolEra: McpProtocolEra;
  /** `_meta` of the request, as the client sent it. */
  readonly meta: Record<string, unknown>;
  private readonly scope: McpRequestScope;
  private cancellation: RequestCancellation;
  private channel: RequestChannel;
  private input: ClientInput;
  private becomeTask: (() => Promise<void>) | undefined;
  private readonly minimumLogLevel: number;
  private lastProgress = -Infinity;

  constructor(init: McpContextInit) {
    this.scope = init.scope;
    this.sessionId = init.scope.sessionId;
    this.requestId = init.requestId;
    this.auth = init.auth;
    this.cancellation = init.cancellation;
    this.protocolVersion = init.scope.protocolVersion;
    this.protocolEra = init.scope.era;
    this.meta = init.meta ?? {};
    this.channel = init.channel;
    this.input = init.input;
    this.minimumLogLevel = init.scope.logLevel === undefined ? Infinity : LOGGING_LEVELS.indexOf(init.scope.logLevel);
  }

  /** Aborted when the client cancels the request, its session ends, or the server shuts down. */
  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  /**
   * The same request's context for work that outlives it (a task): same caller, client and
   * `_meta`, with its own cancellation, channel and way of asking the client.
   * @internal
   */
  detached(parts: Pick<McpContextInit, 'cancellation' | 'channel' | 'input'>): McpContext {
    return new McpContext({ scope: this.scope, requestId: this.requestId, auth: this.auth, meta: this.meta, ...parts });
  }

  /**
   * This context from now on belongs to a task (`continueAsTask`): its signal, notifications and
   * questions to the client are the task's.
   * @internal
   */
  adopt(parts: Pick<McpContextInit, 'cancellation' | 'channel' | 'input'>): void {
    this.cancellation = parts.cancellation;
    this.channel = parts.channel;
    this.input = parts.input;
  }

  /**
   * Answers the call now with a task and goes on in the background as that task (tools with
   * `taskStart: 'handler'`, 2026-07-28 clients that accept tasks): whatever the method asked the
   * client before was answered synchronously, in rounds of the call itself; what it asks after
   * goes through the task. Does nothing where the call cannot become a task (or already is one).
   */
  continueAsTask(): Promise<void> {
    const becomeTask = this.becomeTask;
    this.becomeTask = undefined;
    return becomeTask?.() ?? Promise.resolve();
  }

  /**
   * What {@link continueAsTask} does for this call: set by `tools/call` where the call may become
   * a task.
   * @internal
   */
  offerTask(becomeTask: () => Promise<void>): void {
    this.becomeTask = becomeTask;
  }

  /** Name and version the client announced (at `initialize`, or in this request's `_meta`). */
  get clientInfo(): Implementation | undefined {
    return this.scope.clientInfo;
  }

  /** Capabilities the client declared (at `initialize`, or in this request's `_meta`). */
  get clientCapabilities(): ClientCapabilities {
    return this.scope.clientCapabilities;
  }

  /** The token the client asked progress to be reported with, if any. */
  get progressToken(): ProgressToken | undefined {
    const token = this.meta.progressToken;
    return typeof token === 'string' || typeof token === 'number' ? token : undefined;
  }

  /**
   * Reports progress (`notifications/progress`). Sent only when the client supplied a progress
   * token; `progress` must grow with each call (MCP `basic/utilities/progress`), so a value not
   * above the previous one is dropped.
   */
  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const progressToken = this.progressToken;
    if (progressToken === undefined || this.cancellation.aborted || !(progress > this.lastProgress)) return;
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
   * level the client asked for: with `logging/setLevel` in a 2025 session (default: the module's
   * `defaultLogLevel`), or in the request's `_meta` in 2026-07-28, where a request without one gets
   * no log messages at all (2026-07-28 `server/utilities/logging`).
   */
  async log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    const severity = LOGGING_LEVELS.indexOf(level);
    if (severity < 0) throw new TypeError(`Unknown log level ${JSON.stringify(level)}.`);
    if (severity < this.minimumLogLevel || this.cancellation.aborted) return;
    await this.channel.send({ method: 'notifications/message', params: { level, data, ...(logger && { logger }) } });
  }

  /**
   * Closes the HTTP connection of this request's SSE stream without ending the stream (MCP
   * 2025-11-25 `basic/transports`, SSE polling, SEP-1699): the client reconnects with GET and
   * `Last-Event-ID` after the `retry` delay and receives everything sent since, the result included.
   * Useful before long waits, so no connection is held open. Does nothing in `json` response mode
   * and for 2026-07-28 requests, whose streams are not resumable.
   */
  closeSseStream(): Promise<void> {
    return this.channel.disconnect?.() ?? Promise.resolve();
  }

  /** Sends a notification related to this request on the request's stream. */
  notify(notification: McpNotification): Promise<void> {
    return this.channel.send(notification);
  }

  /**
   * Asks the client's model for a completion (`sampling/createMessage`, MCP `client/sampling`).
   * Needs the client's `sampling` capability (`sampling.tools` when `tools` are passed), else
   * rejects with `McpClientCapabilityError`; in a 2025 session rejects with `McpClientRequestError`
   * when the client answers with an error or not within the timeout. Uncaught in a tool, both
   * become a tool error (2025) or the error the protocol defines (2026-07-28).
   *
   * In 2026-07-28 the question ends this round of the request with an `input_required` result; the
   * client's retry runs the handler again from the start with the answer available here
   * (docs/client-requests.md). Code before the last question may therefore run more than once.
   */
  async sample(params: CreateMessageParams, options?: McpInputOptions): Promise<CreateMessageResult> {
    return (await this.askOne(this.prepareSampling(params), options)) as CreateMessageResult;
  }

  /**
   * Asks the user for input through the client (`elicitation/create`, MCP `client/elicitation`): a
   * form described by a flat schema, or a URL to open (`mode: 'url'`, needs `elicitation.url`).
   * With a zod schema the accepted content is validated and typed. Fails like {@link sample}.
   */
  async elicit<T = Record<string, unknown>>(
    params: ElicitFormParams<T> | ElicitUrlParams,
    options?: McpInputOptions,
  ): Promise<McpElicitResult<T>> {
    return (await this.askOne(this.prepareElicitation(params), options)) as McpElicitResult<T>;
  }

  /** Asks the client for its roots (`roots/list`, MCP `client/roots`). Fails like {@link sample}. */
  async listRoots(options?: McpInputOptions): Promise<Root[]> {
    return (await this.askOne(this.prepareRoots(), options)) as Root[];
  }

  /**
   * Asks several questions at once and resolves when all are answered: concurrently in a 2025
   * session, in one `input_required` round in 2026-07-28 (the map's keys name them in
   * `inputRequests`). Every question is checked against the client's capabilities first.
   *
   * @example
   * const { name, roots } = await ctx.requestInputs({
   *   name: { elicit: { message: 'Your name?', requestedSchema: z.object({ name: z.string() }) } },
   *   roots: { listRoots: true },
   * });
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each request's answer type is inferred per key
  async requestInputs<R extends Record<string, McpInputRequest<any>>>(
    requests: R,
    options?: ClientInputOptions,
  ): Promise<{ [K in keyof R]: McpInputResult<R[K]> }> {
    const entries = Object.entries(requests).map(([key, request]) => {
      const prepared =
        'elicit' in request
          ? this.prepareElicitation(request.elicit)
          : 'sample' in request
            ? this.prepareSampling(request.sample)
            : this.prepareRoots();
      return [key, { ...prepared, request: { ...prepared.request, key } }] as const;
    });
    const results = await this.input.ask(
      entries.map(([, prepared]) => prepared.request),
      { signal: this.signal, ...options },
    );
    const answers = await Promise.all(entries.map(([key, prepared], index) => prepared.read(results[index]).then((value) => [key, value])));
    return Object.fromEntries(answers) as { [K in keyof R]: McpInputResult<R[K]> };
  }

  private async askOne(prepared: PreparedInput, options: McpInputOptions = {}): Promise<unknown> {
    const { key, ...rest } = options;
    const [result] = await this.input.ask([{ ...prepared.request, ...(key !== undefined && { key }) }], { signal: this.signal, ...rest });
    return prepared.read(result);
  }

  private prepareSampling(params: CreateMessageParams): PreparedInput {
    const sampling = this.requireCapability('sampling') as Record<string, unknown>;
    if (params.tools && !sampling.tools) throw new McpClientCapabilityError('sampling.tools');
    return { request: { method: 'sampling/createMessage', params: { ...params } }, read: async (result) => result };
  }

  private prepareElicitation(params: ElicitFormParams<unknown> | ElicitUrlParams): PreparedInput {
    const elicitation = this.requireCapability('elicitation') as Record<string, unknown>;
    if (params.mode === 'url') {
      if (!elicitation.url) throw new McpClientCapabilityError('elicitation.url');
      // 2025-11-25 requires an `elicitationId`; 2026-07-28 removed it (changelog, minor change 11).
      const { elicitationId, ...urlParams } = params;
      const wire = this.protocolEra === 'legacy' ? { ...urlParams, elicitationId: elicitationId ?? randomUUID() } : urlParams;
      return { request: { method: 'elicitation/create', params: wire }, read: async (result) => result };
    }
    // An empty `elicitation: {}` means form mode only (2025-11-25); `{ url: {} }` alone excludes forms.
    if (elicitation.url && !elicitation.form) throw new McpClientCapabilityError('elicitation.form');
    const { requestedSchema, ...rest } = params;
    const schema = isStandardSchema(requestedSchema) ? compileSchema(requestedSchema, 'input', 'ctx.elicit()') : undefined;
    return {
      request: { method: 'elicitation/create', params: { ...rest, requestedSchema: schema?.jsonSchema ?? requestedSchema } },
      read: async (answer) => {
        const result = answer as unknown as ElicitResult;
        if (!schema || result.action !== 'accept') return result;
        const checked = await schema.validate(result.content ?? {});
        if (!checked.ok) throw new McpToolError(`The client returned elicited content that does not match the form: ${checked.message}`);
        return { ...result, content: checked.value };
      },
    };
  }

  private prepareRoots(): PreparedInput {
    this.requireCapability('roots');
    return { request: { method: 'roots/list', params: {} }, read: async (result) => result.roots ?? [] };
  }

  private requireCapability(name: 'sampling' | 'elicitation' | 'roots'): unknown {
    const capability = this.scope.clientCapabilities[name];
    if (typeof capability !== 'object' || capability === null) throw new McpClientCapabilityError(name);
    return capability;
  }
}
