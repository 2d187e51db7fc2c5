import { ReplayCache, replayCacheCapacity } from "@writ/core/backend";
import { describe, expect, it } from "vitest";

/** The default proof window: 60 s of lifetime plus 60 s of clock skew. */
const RETENTION_MS = 120_000;

/** Feeds `perSecond` fresh ids a second for `seconds` on a simulated clock; counts each answer. */
function sustain(cache: ReplayCache, perSecond: number, seconds: number) {
  const answers = { added: 0, replayed: 0, full: 0 };
  let serial = 0;
  for (let millisecond = 0; millisecond < seconds * 1000; millisecond++) {
    const due =
      Math.floor(((millisecond + 1) * perSecond) / 1000) -
      Math.floor((millisecond * perSecond) / 1000);
    for (let index = 0; index < due; index++)
      answers[cache.add(`proof-${serial++}`, millisecond)]++;
  }
  return answers;
}

describe("the replay cache's default size", () => {
  it("is what 5,000 proofs a second leave in the window, twice over", () => {
    expect(replayCacheCapacity(RETENTION_MS)).toBe(1_200_000);
    expect(replayCacheCapacity(30_000)).toBe(300_000);
  });

  // The sizing is linear in the rate: a tenth of it keeps the run short (the
  // 5,000-a-second ten minutes run in `pnpm bench hot-path`).
  it("accepts every proof of ten minutes at the rate it is sized for", () => {
    const cache = new ReplayCache(replayCacheCapacity(RETENTION_MS, 500), RETENTION_MS);
    expect(sustain(cache, 500, 600)).toEqual({ added: 300_000, replayed: 0, full: 0 });
    expect(cache.size).toBeLessThanOrEqual(500 * 120 + 1);
  });

  it("keeps its headroom: nearly twice that rate still fits, past it the cache refuses rather than forget", () => {
    const capacity = replayCacheCapacity(RETENTION_MS, 500);
    expect(sustain(new ReplayCache(capacity, RETENTION_MS), 990, 200).full).toBe(0);
    expect(sustain(new ReplayCache(capacity, RETENTION_MS), 1_100, 200).full).toBeGreaterThan(0);
  });

  it("still refuses a replay within the window", () => {
    const cache = new ReplayCache(replayCacheCapacity(RETENTION_MS), RETENTION_MS);
    expect(cache.add("proof", 0)).toBe("added");
    expect(cache.add("proof", RETENTION_MS)).toBe("replayed");
    expect(cache.add("proof", RETENTION_MS + 1)).toBe("added");
  });
});
