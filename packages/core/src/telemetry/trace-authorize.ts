import type { Attributes, SpanContext } from "@opentelemetry/api";
import type { Decision } from "../guard/decision.js";
import { errorType } from "./error-type.js";
import { openTelemetry } from "./open-telemetry.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writInstruments } from "./writ-metrics.js";
import { writTracer } from "./writ-tracer.js";

/** The `writ.authorize` span of each decision still traced, for the tool run's span to hang under. */
const authorizeSpans = new WeakMap<Decision, SpanContext>();

/** The span context of the `writ.authorize` span that made `decision`, if it was traced. */
export function authorizeSpanOf(decision: Decision): SpanContext | undefined {
  return authorizeSpans.get(decision);
}

/**
 * Runs guard.authorize's work in a `writ.authorize` span, a child of the
 * active span (the framework's tool call, or the caller's trace a transport
 * continued), and counts the decision. The span's attributes come from the
 * decision, whose names are already printable and bounded even for a hostile
 * call; the arguments are never read. Without a registered tracer provider
 * the span does not record and nothing but the metrics is computed.
 */
export async function traceAuthorize(
  adapter: string | undefined,
  decide: () => Promise<Decision>,
): Promise<Decision> {
  const api = openTelemetry;
  if (api === undefined) return decide();
  const started = performance.now();
  const parent = api.context.active();
  const span = writTracer(api).startSpan("writ.authorize", { kind: api.SpanKind.INTERNAL }, parent);
  const recording = span.isRecording();
  let decision: Decision;
  try {
    decision = recording
      ? await api.context.with(api.trace.setSpan(parent, span), decide)
      : await decide();
  } catch (error) {
    // Only a missing call object throws (a TypeError for the caller): no decision to describe.
    if (recording) {
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.setAttribute(A.errorType, errorType(error));
      span.end();
    }
    throw error;
  }
  const measured = { [A.effect]: decision.effect, [A.code]: decision.code };
  const instruments = writInstruments(api);
  instruments.decisions.add(1, measured);
  instruments.guardDuration.record((performance.now() - started) / 1000, measured);
  if (recording) {
    span.setAttributes(decisionAttributes(decision, adapter));
    span.end();
    authorizeSpans.set(decision, span.spanContext());
  }
  return decision;
}

/** Who, what and how it was decided: never an argument value, a token or a key. */
function decisionAttributes(decision: Decision, adapter: string | undefined): Attributes {
  const attributes: Attributes = {
    [A.action]: decision.action,
    [A.tool]: decision.tool,
    [A.callId]: decision.callId,
    [A.effect]: decision.effect,
    [A.code]: decision.code,
  };
  if (decision.user !== undefined) attributes[A.user] = decision.user;
  if (decision.tenant !== undefined) attributes[A.tenant] = decision.tenant;
  if (decision.agent !== undefined) attributes[A.agent] = decision.agent;
  if (decision.chain !== undefined) attributes[A.chain] = [...decision.chain];
  if (decision.hop !== undefined) attributes[A.hop] = decision.hop;
  if (decision.decidedBy !== undefined) attributes[A.decidedBy] = decision.decidedBy;
  if (decision.approvalId !== undefined) attributes[A.approvalId] = decision.approvalId;
  if (decision.eventId !== undefined) attributes[A.eventId] = decision.eventId;
  if (adapter !== undefined) attributes[A.adapter] = adapter;
  return attributes;
}
