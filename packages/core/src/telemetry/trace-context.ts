import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import { openTelemetry } from "./open-telemetry.js";

/**
 * Where W3C trace context travels: HTTP headers (lower-case names, as Node
 * gives them) or an MCP request's `params._meta`, whose `traceparent`,
 * `tracestate` and `baggage` keys the MCP specification reserves for it.
 */
export type TraceCarrier = Readonly<Record<string, unknown>>;

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === "string") return value;
    return Array.isArray(value) && value.every((item) => typeof item === "string")
      ? (value as string[])
      : undefined;
  },
};

const setter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * Runs `run` as part of the trace the carrier names (through the propagator
 * the application registered, W3C trace context in the OpenTelemetry SDK's
 * default): the spans it starts, Writ's `writ.authorize` among them, are
 * children of the caller's span. Without OpenTelemetry, a propagator or a
 * trace in the carrier, `run` simply runs in the current context.
 */
export function continueTrace<T>(carrier: TraceCarrier | undefined, run: () => T): T {
  const api = openTelemetry;
  if (api === undefined || carrier === undefined) return run();
  const active = api.context.active();
  const continued = api.propagation.extract(active, carrier, getter);
  return continued === active ? run() : api.context.with(continued, run);
}

/**
 * Writes the current trace into `carrier` (headers of an outgoing request, or
 * the `_meta` of an MCP request sent on), replacing the trace keys it had, so
 * the receiver continues this process's span rather than its caller's. With
 * no current trace (nothing recording), the carrier is left as it is.
 */
export function propagateTrace(carrier: Record<string, unknown>): void {
  openTelemetry?.propagation.inject(openTelemetry.context.active(), carrier, setter);
}
