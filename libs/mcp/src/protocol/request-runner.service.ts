import { Injectable, Logger } from '@nestjs/common';
import type { McpPrincipal } from '../auth/mcp-principal.js';
import { InFlightRequests, InstanceStoppingError, RequestAbortedError } from '../dispatch/in-flight-requests.service.js';
import { McpContext, type ClientInput, type McpRequestScope, type RequestChannel } from '../dispatch/mcp-context.js';
import { McpDispatcher } from '../dispatch/mcp-dispatcher.service.js';
import type { RequestCancellation } from './request-cancellation.js';
import { McpTelemetry } from '../telemetry/mcp-telemetry.service.js';
import { JsonRpcErrorCode, type JsonRpcErrorObject, type JsonRpcRequest } from './json-rpc.js';
import { McpError } from './mcp.error.js';
import type { TraceCarrier } from './post-reply.js';

/** How one request ended. */
export type RunOutcome =
  | { kind: 'result'; result: Record<string, unknown> }
  | { kind: 'error'; error: JsonRpcErrorObject }
  /**
   * The handler asked the client something still unanswered (2026-07-28 multi round-trip
   * requests): the request is answered `input_required`, whatever the handler did with the signal.
   */
  | { kind: 'input_required' }
  /** Cancelled (by the client, its session ending, or shutdown): no response is sent. */
  | { kind: 'cancelled' };

export interface RunRequest {
  request: JsonRpcRequest;
  scope: McpRequestScope;
  auth: McpPrincipal;
  channel: RequestChannel;
  input: ClientInput;
  /**
   * Keeps the request ids of different callers apart for cancellation: the session id, or a key
   * unique to one stateless request.
   */
  owner: string;
  /** Aborts the request from outside, e.g. when the client closes a 2026-07-28 response stream. */
  cancelWhen?: RequestCancellation;
  /** Where the caller's trace context may travel besides `params._meta`: the HTTP request's headers. */
  traceCarrier: TraceCarrier;
}

/**
 * The JSON-RPC life of one request, the same in both eras: registered as in flight (so it can be
 * cancelled and is aborted at shutdown), served by the dispatcher through an `McpContext`, and
 * its failure turned into a JSON-RPC error. Protocol errors (`McpError`) keep their code; anything
 * else is logged and answered as an internal error, so no internals reach the client. Each run is
 * traced (`McpTelemetry`): its handler runs inside the request's span.
 */
@Injectable()
export class RequestRunner {
  private readonly logger = new Logger('McpRequests');

  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly inFlight: InFlightRequests,
    private readonly telemetry: McpTelemetry,
  ) {}

  run(run: RunRequest): Promise<RunOutcome> {
    return this.telemetry.traceRequest(run, () => this.serve(run));
  }

  private async serve({ request, scope, auth, channel, input, owner, cancelWhen }: RunRequest): Promise<RunOutcome> {
    const cancellation = this.inFlight.start(owner, request.id);
    if (!cancellation) {
      return {
        kind: 'error',
        error: {
          code: JsonRpcErrorCode.InvalidRequest,
          message: `Request id ${JSON.stringify(request.id)} is already in use by a running request of this session.`,
        },
      };
    }
    const stopWatching = cancelWhen?.onAbort(() => cancellation.abort(new RequestAbortedError('The client closed the response stream.')));
    const ctx = new McpContext({
      scope,
      requestId: request.id,
      auth,
      cancellation,
      meta: request.params?._meta as Record<string, unknown> | undefined,
      channel,
      input,
    });
    let stopListening: (() => void) | undefined;
    try {
      // An aborted request is answered at once, even when its handler ignores the signal.
      const served = Promise.resolve().then(() => this.dispatcher.dispatch(request, ctx));
      served.catch(() => undefined);
      const aborted = new Promise<never>((_, reject) => (stopListening = cancellation.onAbort(reject)));
      const result = await Promise.race([served, aborted]);
      return this.interrupted(cancellation, input) ?? { kind: 'result', result: result as Record<string, unknown> };
    } catch (error) {
      const interrupted = this.interrupted(cancellation, input);
      if (interrupted) return interrupted;
      if (error instanceof McpError) return { kind: 'error', error: error.toJsonRpc() };
      this.logger.error(`${request.method} failed`, error instanceof Error ? error.stack : String(error));
      return { kind: 'error', error: { code: JsonRpcErrorCode.InternalError, message: 'Internal error' } };
    } finally {
      stopListening?.();
      stopWatching?.();
      this.inFlight.finish(owner, request.id, cancellation);
    }
  }

  /**
   * How a run ends whatever its handler returned or threw: cancelled (no response); `input_required`
   * when it asked the client something still unanswered; stopped by shutdown, an error saying it may
   * be retried.
   */
  private interrupted(cancellation: RequestCancellation, input: ClientInput): RunOutcome | undefined {
    const stopping = cancellation.reason instanceof InstanceStoppingError;
    if (cancellation.aborted && !stopping) return { kind: 'cancelled' };
    if (input.needsInput) return { kind: 'input_required' };
    return stopping ? { kind: 'error', error: instanceStoppedError() } : undefined;
  }
}

/**
 * The error a request gets when the instance serving it stops first: at the end of a shutdown's
 * grace period, or written by another instance once this one's lease lapsed.
 */
export const instanceStoppedError = (): JsonRpcErrorObject => ({
  code: JsonRpcErrorCode.InternalError,
  message: 'The instance serving this request stopped before the request finished; it may be retried.',
  data: { retryable: true },
});
