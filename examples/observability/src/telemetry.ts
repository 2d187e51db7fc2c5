/**
 * OpenTelemetry as an application sets it up: a context manager, the W3C
 * propagator, a tracer provider exporting to the console and, when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, to an OTLP collector, and a meter
 * provider. The AI SDK emits its spans once its OpenTelemetry integration is
 * registered; Writ's need nothing more than the providers.
 */
import { OpenTelemetry } from "@ai-sdk/otel";
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { MeterProvider, type MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { registerTelemetry } from "ai";

export interface TelemetryOptions {
  /** Where spans go. Default: the console, and the OTLP collector at OTEL_EXPORTER_OTLP_ENDPOINT if set. */
  readonly exporters?: readonly SpanExporter[];
  /** What reads the metrics (a periodic exporter, a Prometheus endpoint…). */
  readonly metricReaders?: readonly MetricReader[];
}

/** The exporters main.ts uses: the console, and an OTLP collector when one is configured. */
export function defaultExporters(): SpanExporter[] {
  const exporters: SpanExporter[] = [new ConsoleSpanExporter()];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) exporters.push(new OTLPTraceExporter());
  return exporters;
}

/** Registers the SDK globally; the returned function flushes and unregisters it. */
export function startTelemetry(options: TelemetryOptions = {}): () => Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const tracerProvider = new TracerProvider({
    spanProcessors: (options.exporters ?? defaultExporters()).map(
      (exporter) => new BatchSpanProcessor({ exporter }),
    ),
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({ readers: [...(options.metricReaders ?? [])] });
  metrics.setGlobalMeterProvider(meterProvider);
  registerTelemetry(new OpenTelemetry());
  return async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  };
}
