import type { Clock } from "../clock.js";
import type { LiveChange, LiveSink } from "../live/live-state.js";
import type { LiveView } from "../live/live-view.js";
import { openTelemetry } from "./open-telemetry.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writInstruments } from "./writ-metrics.js";

/** A guard's live view as its feed fills it, measured. */
export interface ObservedLiveView {
  /** What the backend's feed writes to: the view itself, or the view behind a measuring sink. */
  readonly sink: LiveSink;
  /** Stops reporting the view's staleness (the guard closed). */
  stop(): void;
}

/**
 * Measures a guard's live view: how stale it is (observed whenever metrics
 * are collected) and, for every revocation the feed brings, how long after
 * the revocation the view enforces it, on the guard's clock.
 */
export function observeLiveView(view: LiveView, clock: Clock, audience: string): ObservedLiveView {
  const api = openTelemetry;
  if (api === undefined) return { sink: view, stop: () => {} };
  const instruments = writInstruments(api);
  const observe = (result: {
    observe(value: number, attributes: Record<string, string>): void;
  }) => {
    const silence = view.silenceMs(clock());
    if (Number.isFinite(silence)) result.observe(silence / 1000, { [A.audience]: audience });
  };
  instruments.liveStaleness.addCallback(observe);
  const sink: LiveSink = {
    snapshot: (snapshot) => view.snapshot(snapshot),
    change: (change: LiveChange) => {
      view.change(change);
      if (change.type === "revocation") {
        writInstruments(api).revocationLag.record(
          Math.max(0, clock() - change.revocation.at) / 1000,
          { [A.revocationKind]: change.revocation.kind },
        );
      }
    },
    heartbeat: () => view.heartbeat(),
    fault: () => view.fault(),
    revocationPending: (kind, id) => view.revocationPending(kind, id),
    revocationWithdrawn: (kind, id) => view.revocationWithdrawn(kind, id),
  };
  return { sink, stop: () => instruments.liveStaleness.removeCallback(observe) };
}
