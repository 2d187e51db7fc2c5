import { errorType } from "./error-type.js";
import { openTelemetry } from "./open-telemetry.js";
import { continueTrace, type TraceCarrier } from "./trace-context.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writTracer } from "./writ-tracer.js";

/** A request a Writ server handles, and how to learn how it was answered. */
export interface TracedRequest {
  readonly method: string;
  /** The request's headers, with lower-case names: its trace context is read from them. */
  readonly headers: TraceCarrier;
}

/** How a traced request was answered: its status and the route pattern that matched, if any. */
export interface TracedAnswer {
  readonly status: number;
  readonly route?: string;
}

/**
 * Handles an HTTP request in a server span (`{method} {route}`) that
 * continues the caller's trace, as the remote backend sends it. The span
 * names the route pattern, never the path or query, which can hold ids and
 * values; a 5xx answer marks it failed.
 */
export async function traceServerRequest(
  request: TracedRequest,
  handle: () => Promise<TracedAnswer>,
): Promise<void> {
  const api = openTelemetry;
  if (api === undefined) {
    await handle();
    return;
  }
  await continueTrace(request.headers, async () => {
    const span = writTracer(api).startSpan(request.method, {
      kind: api.SpanKind.SERVER,
      attributes: { [A.httpMethod]: request.method },
    });
    if (!span.isRecording()) {
      await handle();
      return;
    }
    try {
      const answer = await api.context.with(api.trace.setSpan(api.context.active(), span), handle);
      span.setAttribute(A.httpStatus, answer.status);
      if (answer.route !== undefined) {
        span.setAttribute(A.httpRoute, answer.route);
        span.updateName(`${request.method} ${answer.route}`);
      }
      if (answer.status >= 500) {
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.setAttribute(A.errorType, String(answer.status));
      }
    } catch (error) {
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.setAttribute(A.errorType, errorType(error));
      throw error;
    } finally {
      span.end();
    }
  });
}
