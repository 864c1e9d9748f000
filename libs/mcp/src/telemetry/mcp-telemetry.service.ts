import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type TextMapGetter,
} from '@opentelemetry/api';
import { Subscription } from 'rxjs';
import type { McpRequestScope } from '../dispatch/mcp-context.js';
import type { JsonRpcRequest } from '../protocol/json-rpc.js';
import type { TraceCarrier } from '../protocol/post-reply.js';
import type { RunOutcome, RunRequest } from '../protocol/request-runner.service.js';
import { McpRegistry } from '../registry/mcp-registry.service.js';
import { McpSessionEvents, type McpSessionEvent } from '../session/mcp-session-events.service.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_NETWORK_PROTOCOL_NAME,
  ATTR_NETWORK_TRANSPORT,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  DURATION_BUCKETS_SECONDS,
  ERROR_TYPE_TOOL_ERROR,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  METRIC_MCP_SERVER_SESSION_DURATION,
  METRIC_SESSION_ACTIVE,
  METRIC_STREAM_ACTIVE,
} from './mcp-semconv.constants.js';

const INSTRUMENTATION_SCOPE = '@nest-mcp/mcp';

/** What the API's global tracer provider delegates to until an SDK registers one. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether an SDK registered a tracer provider (it may do so after the app started). */
function tracingRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER;
}

/** Streamable HTTP as the convention records it ("Recording MCP transport"). */
const TRANSPORT_ATTRIBUTES: Attributes = { [ATTR_NETWORK_TRANSPORT]: 'tcp', [ATTR_NETWORK_PROTOCOL_NAME]: 'http' };

/** Methods whose `params.uri` names a resource (`mcp.resource.uri`). */
const RESOURCE_METHODS: ReadonlySet<string> = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);

/** Reads trace context from `params._meta`, whose values may be anything: only strings count. */
const metaGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (typeof carrier[key] === 'string' ? carrier[key] : undefined),
};

/**
 * OpenTelemetry spans and metrics of the MCP server, after the semantic conventions for MCP, through
 * `@opentelemetry/api` only: without an SDK registered by the app, every call is a no-op. The SDK
 * must be registered before the app is created (the meter is taken once, at construction).
 */
@Injectable()
export class McpTelemetry implements OnModuleInit, OnModuleDestroy {
  private readonly tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  private readonly meter = metrics.getMeter(INSTRUMENTATION_SCOPE);
  private readonly operationDuration = this.meter.createHistogram(METRIC_MCP_SERVER_OPERATION_DURATION, {
    description: 'MCP request duration as observed on the server, from its receipt until its result is sent.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
  });
  private readonly sessionDuration = this.meter.createHistogram(METRIC_MCP_SERVER_SESSION_DURATION, {
    description: 'Duration of the MCP sessions ended by their client (DELETE) on this instance.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
  });
  private readonly activeSessions = this.meter.createUpDownCounter(METRIC_SESSION_ACTIVE, {
    description:
      'MCP sessions this instance created, less those it saw end (deleted here, or expired where the session host reports expiry).',
    unit: '{session}',
  });
  private readonly activeStreams = this.meter.createUpDownCounter(METRIC_STREAM_ACTIVE, {
    description: 'SSE streams open on this instance.',
    unit: '{stream}',
  });
  private readonly subscription = new Subscription();
  /** The metrics API has no proxy: without a meter provider at construction, no metric is ever recorded. */
  private readonly recordsMetrics = this.meter !== createNoopMeter();

  constructor(
    private readonly registry: McpRegistry,
    private readonly sessionEvents: McpSessionEvents,
  ) {}

  onModuleInit(): void {
    this.subscription.add(this.sessionEvents.events$.subscribe((event) => this.countSession(event)));
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  /**
   * Serves a request inside its SERVER span, so the spans its handler starts are children of it,
   * and records its duration. A JSON-RPC error or a tool result with `isError` is a failure; a
   * cancelled request and an `input_required` answer are not.
   */
  async traceRequest(
    { request, scope, traceCarrier }: Pick<RunRequest, 'request' | 'scope' | 'traceCarrier'>,
    serve: () => Promise<RunOutcome>,
  ): Promise<RunOutcome> {
    // Without an SDK every call below is a no-op: skip building what nobody records, on every request.
    if (!this.recordsMetrics && !tracingRegistered()) return serve();
    const started = performance.now();
    const { attributes, target } = this.operationAttributes(request, scope);
    const { parent, links } = parentOf(request, traceCarrier);
    const span = this.tracer.startSpan(
      target === undefined ? request.method : `${request.method} ${target}`,
      { kind: SpanKind.SERVER, attributes: { ...attributes, ...requestAttributes(request, scope) }, links },
      parent,
    );
    let failure: Failure | undefined;
    try {
      const outcome = await context.with(trace.setSpan(parent, span), serve);
      failure = failureOf(request, outcome);
      return outcome;
    } finally {
      if (failure) {
        span.setAttributes(failure.attributes);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      }
      span.end();
      this.operationDuration.record((performance.now() - started) / 1000, { ...attributes, ...failure?.attributes });
    }
  }

  streamOpened(): void {
    this.activeStreams.add(1);
  }

  streamClosed(): void {
    this.activeStreams.add(-1);
  }

  /**
   * Attributes of both the span and the duration metric, and the span name's target. Tool and
   * prompt names count only when registered: a name the client made up must not become a span
   * name or a metric series.
   */
  private operationAttributes(request: JsonRpcRequest, scope: McpRequestScope): { attributes: Attributes; target?: string } {
    const attributes: Attributes = {
      [ATTR_MCP_METHOD_NAME]: request.method,
      [ATTR_MCP_PROTOCOL_VERSION]: scope.protocolVersion,
      ...TRANSPORT_ATTRIBUTES,
    };
    const name = request.params?.name;
    if (request.method === 'tools/call') {
      attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL;
      if (typeof name === 'string' && this.registry.getTool(name)) {
        attributes[ATTR_GEN_AI_TOOL_NAME] = name;
        return { attributes, target: name };
      }
    }
    if (request.method === 'prompts/get' && typeof name === 'string' && this.registry.getPrompt(name)) {
      attributes[ATTR_GEN_AI_PROMPT_NAME] = name;
      return { attributes, target: name };
    }
    return { attributes };
  }

  private countSession({ type, session }: McpSessionEvent): void {
    switch (type) {
      case 'created':
        this.activeSessions.add(1);
        return;
      case 'expired':
        this.activeSessions.add(-1);
        return;
      case 'closed':
        this.activeSessions.add(-1);
        if (session) {
          this.sessionDuration.record((Date.now() - session.createdAt) / 1000, {
            [ATTR_MCP_PROTOCOL_VERSION]: session.protocolVersion,
            ...TRANSPORT_ATTRIBUTES,
          });
        }
        return;
    }
  }
}

interface Failure {
  attributes: Attributes;
  message?: string;
}

/** `error.type`: the JSON-RPC error code, or `tool_error` for a tool result with `isError: true`. */
function failureOf(request: JsonRpcRequest, outcome: RunOutcome): Failure | undefined {
  if (outcome.kind === 'error') {
    const code = String(outcome.error.code);
    return { attributes: { [ATTR_ERROR_TYPE]: code, [ATTR_RPC_RESPONSE_STATUS_CODE]: code }, message: outcome.error.message };
  }
  if (outcome.kind === 'result' && request.method === 'tools/call' && outcome.result.isError === true) {
    return { attributes: { [ATTR_ERROR_TYPE]: ERROR_TYPE_TOOL_ERROR } };
  }
  return undefined;
}

/** Span attributes too fine-grained for metrics. */
function requestAttributes(request: JsonRpcRequest, scope: McpRequestScope): Attributes {
  const uri = request.params?.uri;
  return {
    [ATTR_JSONRPC_REQUEST_ID]: String(request.id),
    ...(scope.sessionId !== undefined && { [ATTR_MCP_SESSION_ID]: scope.sessionId }),
    ...(RESOURCE_METHODS.has(request.method) && typeof uri === 'string' && { [ATTR_MCP_RESOURCE_URI]: uri }),
  };
}

/**
 * The span's parent: the trace context of `params._meta` (MCP SEP-414) when it has one, with a
 * link to the HTTP request's; otherwise the HTTP request's, which is the active span when HTTP
 * instrumentation runs, else the `traceparent` header (convention, "Context propagation").
 */
function parentOf(request: JsonRpcRequest, carrier: TraceCarrier): { parent: Context; links: Link[] } {
  const active = context.active();
  const http = trace.getSpan(active) ? active : propagation.extract(active, carrier);
  const meta = request.params?._meta;
  if (typeof meta !== 'object' || meta === null) return { parent: http, links: [] };
  const parent = propagation.extract(http, meta as Record<string, unknown>, metaGetter);
  const own = trace.getSpanContext(parent);
  const outer = trace.getSpanContext(http);
  return { parent, links: own && outer && own.spanId !== outer.spanId ? [{ context: outer }] : [] };
}
