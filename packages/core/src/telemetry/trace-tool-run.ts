import type { Context, Span } from "@opentelemetry/api";
import type { AllowDecision } from "../guard/decision.js";
import { errorType } from "./error-type.js";
import { type OpenTelemetryApi, openTelemetry } from "./open-telemetry.js";
import { authorizeSpanOf } from "./trace-authorize.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writTracer } from "./writ-tracer.js";

/** The span of an allowed tool's run, as runAllowed and streamAllowed drive it. */
export interface ToolRunTrace {
  /** Runs one step of the tool with its span active, so what the tool traces nests under it. */
  within<R>(step: () => R): R;
  /** Ends the span: ok, or failed with what the tool threw (its class only). */
  end(failure?: { readonly error: unknown }): void;
}

const UNTRACED: ToolRunTrace = { within: (step) => step(), end: () => {} };

/**
 * Opens the `writ.run_tool` span of an allowed call, as a child of the
 * `writ.authorize` span that allowed it. It carries the GenAI conventions'
 * tool attributes but is not their `execute_tool` span: the framework that
 * executes the tool (the AI SDK, LangChain) emits that one, and Writ's
 * spans nest under it. A decision that was not traced gets a trace that
 * does nothing.
 */
export function traceToolRun(decision: AllowDecision): ToolRunTrace {
  const api = openTelemetry;
  const authorized = authorizeSpanOf(decision);
  if (api === undefined || authorized === undefined) return UNTRACED;
  const parent = api.trace.setSpanContext(api.context.active(), authorized);
  const span = writTracer(api).startSpan(
    "writ.run_tool",
    {
      kind: api.SpanKind.INTERNAL,
      attributes: {
        [A.tool]: decision.tool,
        [A.callId]: decision.callId,
        [A.action]: decision.action,
        ...(decision.agent === undefined ? {} : { [A.agent]: decision.agent }),
        ...(decision.user === undefined ? {} : { [A.user]: decision.user }),
        ...(decision.eventId === undefined ? {} : { [A.eventId]: decision.eventId }),
      },
    },
    parent,
  );
  return new SpanToolRunTrace(api, span, api.trace.setSpan(parent, span));
}

class SpanToolRunTrace implements ToolRunTrace {
  readonly #api: OpenTelemetryApi;
  readonly #span: Span;
  readonly #active: Context;

  constructor(api: OpenTelemetryApi, span: Span, active: Context) {
    this.#api = api;
    this.#span = span;
    this.#active = active;
  }

  within<R>(step: () => R): R {
    return this.#api.context.with(this.#active, step);
  }

  end(failure?: { readonly error: unknown }): void {
    if (failure !== undefined) {
      this.#span.setStatus({ code: this.#api.SpanStatusCode.ERROR });
      this.#span.setAttribute(A.errorType, errorType(failure.error));
    }
    this.#span.end();
  }
}
