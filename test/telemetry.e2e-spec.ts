import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Injectable } from '@nestjs/common';
import { McpContext, McpPrompt, McpResource, McpTool, McpToolError } from '@nest-mcp/mcp';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { errorCode, startMcpApp, type McpTestApp } from './support/sdk-session.js';

/** What the handlers saw of the active span. */
const seen = { activeSpan: undefined as string | undefined };

@Injectable()
class WeatherTools {
  @McpTool({ name: 'get_weather', description: 'The weather of a city.', input: z.object({ city: z.string() }) })
  getWeather({ city }: { city: string }): Promise<string> {
    seen.activeSpan = trace.getActiveSpan()?.spanContext().spanId;
    return trace.getTracer('weather-test').startActiveSpan('fetch forecast', async (span) => {
      span.end();
      return `Sunny in ${city}`;
    });
  }

  @McpTool({ name: 'broken_forecast', description: 'Always fails.' })
  broken(): never {
    throw new McpToolError('The forecast service is down.');
  }

  @McpTool({ name: 'ask_city', description: 'Asks the user for a city.' })
  async askCity(_: unknown, ctx: McpContext): Promise<string> {
    const answer = await ctx.elicit({
      message: 'Which city?',
      requestedSchema: { type: 'object', properties: { city: { type: 'string' } } },
    });
    return `Asked: ${String(answer.content?.city)}`;
  }

  @McpPrompt({ name: 'forecast_prompt', description: 'Asks for a forecast.' })
  forecastPrompt(): string {
    return 'What is the weather?';
  }

  @McpResource({ uri: 'weather://stations', name: 'stations' })
  stations(): string {
    return 'north, south';
  }
}

/** A reader the test collects from when it wants. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const HEADER_PARENT = '00f067aa0ba902b7';
const META_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const META_PARENT = 'b7ad6b7169203331';
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

const textOf = (result: unknown) => (result as { content: Array<{ text?: string }> }).content[0]?.text;

async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} did not happen within 2 s`);
}

describe('telemetry without an OpenTelemetry SDK', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = await startMcpApp({ options: { name: 'weather', sseKeepaliveMs: 0 }, providers: [WeatherTools] });
  });

  afterAll(() => app.close());

  it('serves as usual: the api is a no-op, trace context in headers and _meta is ignored', async () => {
    const { client } = await app.connect({ headers: { traceparent: traceparent(TRACE_ID, HEADER_PARENT) } });
    const result = await client.callTool({
      name: 'get_weather',
      arguments: { city: 'Oslo' },
      _meta: { traceparent: traceparent(META_TRACE_ID, META_PARENT) },
    });
    expect(textOf(result)).toBe('Sunny in Oslo');
    expect(seen.activeSpan).toBeUndefined();
  });
});

describe('telemetry with an OpenTelemetry SDK', () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  let app: McpTestApp;
  let url: URL;

  beforeAll(async () => {
    // Registered before the app is created, as an app's tracing file is imported first.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    app = await startMcpApp({ options: { name: 'weather', sseKeepaliveMs: 0 }, providers: [WeatherTools] });
    url = app.url;
  });

  afterAll(async () => {
    await app.close();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    trace.disable();
    metrics.disable();
    context.disable();
    propagation.disable();
  });

  beforeEach(() => spans.reset());

  const serverSpans = (name: string): ReadableSpan[] =>
    spans.getFinishedSpans().filter((span) => span.name === name && span.kind === SpanKind.SERVER);
  const oneServerSpan = (name: string) =>
    eventually(() => (serverSpans(name).length === 1 ? serverSpans(name)[0] : undefined), `one span ${name}`);

  const collect = async (name: string): Promise<MetricData | undefined> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name);
  };
  const counterValue = async (name: string) => {
    const points = ((await collect(name))?.dataPoints ?? []) as DataPoint<number>[];
    return points.reduce((sum, point) => sum + point.value, 0);
  };
  const histogramPoint = async (name: string, match: Attributes) => {
    const points = ((await collect(name))?.dataPoints ?? []) as DataPoint<Histogram>[];
    return points.find((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value));
  };

  const connectModern = async (options: ConstructorParameters<typeof ModernClient>[1] = { versionNegotiation: { mode: 'auto' } }) => {
    const client = new ModernClient({ name: 'telemetry-modern', version: '1.0.0' }, options);
    await client.connect(new ModernTransport(url));
    return client;
  };

  it('wraps a tools/call of a 2025 session in one SERVER span named after the tool, with the convention attributes', async () => {
    const session = await app.connect();
    expect(textOf(await session.client.callTool({ name: 'get_weather', arguments: { city: 'Oslo' } }))).toBe('Sunny in Oslo');
    const span = await oneServerSpan('tools/call get_weather');
    const { id } = session.lastPost('tools/call').message as { id: number };
    expect(span.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'mcp.protocol.version': '2025-11-25',
      'mcp.session.id': session.sessionId,
      'jsonrpc.request.id': String(id),
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.instrumentationScope.name).toBe('@nest-mcp/mcp');

    await session.client.listTools();
    const list = await oneServerSpan('tools/list');
    expect(list.attributes['gen_ai.operation.name']).toBeUndefined();
    expect(list.attributes['gen_ai.tool.name']).toBeUndefined();
  });

  it('names prompts in prompts/get spans and resource URIs in resources/read spans', async () => {
    const { client } = await app.connect();
    await client.getPrompt({ name: 'forecast_prompt' });
    expect((await oneServerSpan('prompts/get forecast_prompt')).attributes).toMatchObject({ 'gen_ai.prompt.name': 'forecast_prompt' });
    await client.readResource({ uri: 'weather://stations' });
    // The URI is an attribute, never the span name (high cardinality).
    expect((await oneServerSpan('resources/read')).attributes).toMatchObject({ 'mcp.resource.uri': 'weather://stations' });
  });

  it('gives a 2026-07-28 request its protocol version and no session id', async () => {
    const client = await connectModern();
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(textOf(await client.callTool({ name: 'get_weather', arguments: { city: 'Lima' } }))).toBe('Sunny in Lima');
      const span = await oneServerSpan('tools/call get_weather');
      expect(span.attributes).toMatchObject({ 'mcp.protocol.version': '2026-07-28', 'gen_ai.tool.name': 'get_weather' });
      expect(span.attributes['mcp.session.id']).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('marks a tool result with isError as tool_error, and a JSON-RPC error with its code, as ERROR spans', async () => {
    const { client } = await app.connect();
    expect(await client.callTool({ name: 'broken_forecast', arguments: {} })).toMatchObject({ isError: true });
    const failed = await oneServerSpan('tools/call broken_forecast');
    expect(failed.attributes['error.type']).toBe('tool_error');
    expect(failed.attributes['rpc.response.status_code']).toBeUndefined();
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);

    expect(await errorCode(client.callTool({ name: 'no_such_tool', arguments: {} }))).toBe(-32602);
    // An unregistered name is not a low-cardinality target: the span is named after the method.
    const refused = await oneServerSpan('tools/call');
    expect(refused.attributes).toMatchObject({ 'error.type': '-32602', 'rpc.response.status_code': '-32602' });
    expect(refused.attributes['gen_ai.tool.name']).toBeUndefined();
    expect(refused.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Unknown tool: no_such_tool' });
  });

  it('does not count an input_required round of a 2026-07-28 request as a failure', async () => {
    const client = await connectModern({
      capabilities: { elicitation: { form: {} } },
      versionNegotiation: { mode: { pin: '2026-07-28' } },
    });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { city: 'Quito' } }));
    try {
      expect(textOf(await client.callTool({ name: 'ask_city', arguments: {} }))).toBe('Asked: Quito');
      const rounds = await eventually(
        () => (serverSpans('tools/call ask_city').length === 2 ? serverSpans('tools/call ask_city') : undefined),
        'two rounds',
      );
      for (const round of rounds) {
        expect(round.attributes['error.type']).toBeUndefined();
        expect(round.status.code).toBe(SpanStatusCode.UNSET);
      }
    } finally {
      await client.close();
    }
  });

  it('continues the trace of the traceparent header', async () => {
    const { client } = await app.connect({ headers: { traceparent: traceparent(TRACE_ID, HEADER_PARENT) } });
    await client.callTool({ name: 'get_weather', arguments: { city: 'Oslo' } });
    const span = await oneServerSpan('tools/call get_weather');
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext).toMatchObject({ traceId: TRACE_ID, spanId: HEADER_PARENT, isRemote: true });
    expect(span.links).toEqual([]);
  });

  it('prefers the trace context of params._meta, linked to the header', async () => {
    const { client } = await app.connect({ headers: { traceparent: traceparent(TRACE_ID, HEADER_PARENT) } });
    await client.callTool({
      name: 'get_weather',
      arguments: { city: 'Oslo' },
      _meta: { traceparent: traceparent(META_TRACE_ID, META_PARENT) },
    });
    const span = await oneServerSpan('tools/call get_weather');
    expect(span.spanContext().traceId).toBe(META_TRACE_ID);
    expect(span.parentSpanContext).toMatchObject({ traceId: META_TRACE_ID, spanId: META_PARENT });
    expect(span.links.map((link) => link.context)).toEqual([expect.objectContaining({ traceId: TRACE_ID, spanId: HEADER_PARENT })]);
  });

  it("makes the handler's own spans children of the request span", async () => {
    const { client } = await app.connect();
    await client.callTool({ name: 'get_weather', arguments: { city: 'Oslo' } });
    const request = await oneServerSpan('tools/call get_weather');
    const inner = await eventually(() => spans.getFinishedSpans().find((span) => span.name === 'fetch forecast'), 'the handler span');
    expect(seen.activeSpan).toBe(request.spanContext().spanId);
    expect(inner.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });

  it('records mcp.server.operation.duration in seconds, per method, tool and error type', async () => {
    const { client } = await app.connect();
    await client.callTool({ name: 'get_weather', arguments: { city: 'Oslo' } });
    await client.callTool({ name: 'broken_forecast', arguments: {} });
    const metric = await collect('mcp.server.operation.duration');
    expect(metric?.descriptor).toMatchObject({ unit: 's' });
    const ok = await histogramPoint('mcp.server.operation.duration', {
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'get_weather',
    });
    expect(ok?.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'mcp.protocol.version': '2025-11-25',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
    });
    expect(ok?.value.count).toBeGreaterThan(0);
    expect(ok?.value.sum).toBeGreaterThan(0);
    const failed = await histogramPoint('mcp.server.operation.duration', { 'gen_ai.tool.name': 'broken_forecast' });
    expect(failed?.attributes['error.type']).toBe('tool_error');
  });

  it('counts the sessions and SSE streams of this instance up and back down, and records session durations', async () => {
    const sessions = await counterValue('nest_mcp.session.active');
    const streams = await counterValue('nest_mcp.stream.active');
    const session = await app.connect();
    expect(await counterValue('nest_mcp.session.active')).toBe(sessions + 1);
    // The client's GET stream is open (connect waits until it is).
    expect(await counterValue('nest_mcp.stream.active')).toBe(streams + 1);

    await session.transport.terminateSession();
    expect(await counterValue('nest_mcp.session.active')).toBe(sessions);
    const duration = await histogramPoint('mcp.server.session.duration', { 'mcp.protocol.version': '2025-11-25' });
    expect(duration?.value.count).toBeGreaterThan(0);
    await session.client.close();
    let now = streams + 1;
    for (let attempt = 0; attempt < 100 && now !== streams; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = await counterValue('nest_mcp.stream.active');
    }
    expect(now).toBe(streams);
  });
});
