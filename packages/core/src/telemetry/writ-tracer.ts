import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { INSTRUMENTATION_SCOPE, type OpenTelemetryApi } from "./open-telemetry.js";

let cached: { readonly provider: TracerProvider; readonly tracer: Tracer } | undefined;

/**
 * Writ's tracer on the tracer provider registered now. The API's global
 * provider is a proxy that follows a provider registered later; it is only
 * replaced when the application disables tracing, and then so is the tracer.
 */
export function writTracer(api: OpenTelemetryApi): Tracer {
  const provider = api.trace.getTracerProvider();
  if (cached?.provider !== provider) {
    cached = { provider, tracer: provider.getTracer(INSTRUMENTATION_SCOPE) };
  }
  return cached.tracer;
}
