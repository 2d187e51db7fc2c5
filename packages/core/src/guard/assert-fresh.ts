import { WritError } from "../errors.js";
import type { LiveView } from "../live/live-view.js";

/** Refuses (`live.stale`, `live.unavailable`) unless the guard's live view is fresh at `now`. */
export function assertFresh(view: LiveView, now: number, maxStalenessMs: number): void {
  const freshness = view.freshness(now, maxStalenessMs);
  if (freshness === "fresh") return;
  throw new WritError(
    freshness === "stale" ? "live.stale" : "live.unavailable",
    freshness === "stale"
      ? `The guard's live view is older than ${maxStalenessMs} ms; refusing until the backend's feed catches up.`
      : "The guard has no usable live view (feed down or out of sequence); refusing until it recovers.",
  );
}
