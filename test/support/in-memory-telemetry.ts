import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider, type MetricData, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** A metric reader that collects when a test asks. */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The OpenTelemetry SDK registered globally, as an application does, exporting to memory. */
export interface InMemoryTelemetry {
  /** The spans ended so far. */
  spans(): readonly ReadableSpan[];
  /** Every metric collected now. */
  metrics(): Promise<readonly MetricData[]>;
  /** One metric's data points, by name. */
  points(name: string): Promise<readonly { attributes: object; value: unknown }[]>;
  /** Unregisters the SDK. */
  uninstall(): Promise<void>;
}

export function installInMemoryTelemetry(): InMemoryTelemetry {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  return {
    spans: () => exporter.getFinishedSpans(),
    metrics: collect,
    async points(name) {
      const metric = (await collect()).find((data) => data.descriptor.name === name);
      return (metric?.dataPoints ?? []).map(({ attributes, value }) => ({ attributes, value }));
    },
    async uninstall() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
