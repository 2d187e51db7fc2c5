import type { Counter, Histogram, MeterProvider, ObservableGauge } from "@opentelemetry/api";
import { INSTRUMENTATION_SCOPE, type OpenTelemetryApi } from "./open-telemetry.js";

/** Bucket bounds in seconds for work that takes from tens of microseconds to seconds. */
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5,
];

/** Writ's metric instruments (docs/observability.md lists each with its unit and attributes). */
export interface WritInstruments {
  readonly decisions: Counter;
  readonly guardDuration: Histogram;
  readonly ledgerAppendDuration: Histogram;
  readonly liveStaleness: ObservableGauge;
  readonly revocationLag: Histogram;
  readonly gatewayAddedDuration: Histogram;
  readonly budgetCharges: Counter;
}

let cached: { readonly provider: MeterProvider; readonly instruments: WritInstruments } | undefined;

/**
 * The instruments on the meter provider registered now. The metrics API has
 * no proxy provider: instruments taken before the application registers its
 * provider would stay no-ops, so they are taken again when the provider changes.
 */
export function writInstruments(api: OpenTelemetryApi): WritInstruments {
  const provider = api.metrics.getMeterProvider();
  if (cached?.provider !== provider) {
    cached = { provider, instruments: createInstruments(provider) };
  }
  return cached.instruments;
}

function createInstruments(provider: MeterProvider): WritInstruments {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
  const seconds = (description: string) => ({
    description,
    unit: "s",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
  });
  return {
    decisions: meter.createCounter("writ.guard.decisions", {
      description: "Decisions the guard made, by effect and code.",
      unit: "{decision}",
    }),
    guardDuration: meter.createHistogram(
      "writ.guard.duration",
      seconds("Time guard.authorize took to decide a call and record the decision."),
    ),
    ledgerAppendDuration: meter.createHistogram(
      "writ.ledger.append.duration",
      seconds("Time the guard waited for the backend to append its ledger rows."),
    ),
    liveStaleness: meter.createObservableGauge("writ.live.staleness", {
      description: "Time since the guard's live view last heard its feed (0 for in-process feeds).",
      unit: "s",
    }),
    revocationLag: meter.createHistogram(
      "writ.live.revocation.lag",
      seconds("Time from a revocation to the guard's live view enforcing it."),
    ),
    gatewayAddedDuration: meter.createHistogram(
      "writ.gateway.added_duration",
      seconds(
        "Time the MCP gateway added to a relayed request: its whole answer less the upstream's.",
      ),
    ),
    budgetCharges: meter.createCounter("writ.budget.charges", {
      description:
        "Charges of calls against budgets: reserved before a tool runs, exceeded (the call refused), released (the call failed or never ran).",
      unit: "{charge}",
    }),
  };
}
