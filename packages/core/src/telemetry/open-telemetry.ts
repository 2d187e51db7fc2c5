import { createRequire } from "node:module";
import type * as Api from "@opentelemetry/api";

/** The `@opentelemetry/api` module, as Writ uses it. */
export type OpenTelemetryApi = typeof Api;

/**
 * `@opentelemetry/api` when the application installed it (an optional peer
 * dependency), otherwise undefined and every telemetry hook is a no-op.
 * Loaded synchronously, so the first guarded call is already traced; the API
 * keeps its providers on a process-wide global, so this copy sees the ones the
 * application registered, whether it imported the API as ESM or CommonJS.
 */
export const openTelemetry: OpenTelemetryApi | undefined = load();

function load(): OpenTelemetryApi | undefined {
  try {
    return createRequire(import.meta.url)("@opentelemetry/api") as OpenTelemetryApi;
  } catch {
    // Not installed (or not loadable): Writ runs the same, without telemetry.
    return undefined;
  }
}

/** The name of Writ's tracer and meter. */
export const INSTRUMENTATION_SCOPE = "@writ/core";
