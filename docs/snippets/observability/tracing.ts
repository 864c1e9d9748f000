// Registers the OpenTelemetry SDK. main.ts imports it first: the SDK must be registered before the
// Nest app is created (McpModule takes its meter then).
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';

// Swap the console exporters for OTLP ones (@opentelemetry/exporter-trace-otlp-http, ...) to ship to a collector.
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())] });
const meterProvider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 60_000 })],
});

// Handlers run inside the request's span: the context must follow async calls.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// Reads `traceparent`/`tracestate` and `baggage`, from HTTP headers and from `params._meta`.
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
trace.setGlobalTracerProvider(tracerProvider);
metrics.setGlobalMeterProvider(meterProvider);

/** Exports what is still buffered; call it once the app has closed. */
export async function shutdownTelemetry(): Promise<void> {
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
}
