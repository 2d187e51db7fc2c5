import { describe, expect, it } from "vitest";
import type { LiveWatch, Revocation } from "../src/live/live-state.js";
import { LiveView } from "../src/live/live-view.js";

const revocation = (seq: number, id: string): Revocation => ({ kind: "hop", id, seq, at: 0 });

/** A view on a synchronous feed, after an empty snapshot at sequence 0. */
function view(): LiveView {
  const live = new LiveView(() => 0);
  live.attach({ synchronous: true, resync: () => {}, close: async () => {} } as LiveWatch);
  live.snapshot({ seq: 0, revocations: [], users: [], agents: [] });
  return live;
}

describe("a live view's pending revocations (begun in this process, not yet committed)", () => {
  it("enforces a pending revocation, and lifts it once every attempt was withdrawn", () => {
    const live = view();
    live.revocationPending("hop", "h1");
    live.revocationPending("hop", "h1");
    expect(live.isRevoked("hop", "h1")).toBe(true);
    expect(live.isRevoked("hop", "h2")).toBe(false);
    expect(live.isRevoked("agent", "h1")).toBe(false);
    live.revocationWithdrawn("hop", "h1");
    expect(live.isRevoked("hop", "h1")).toBe(true);
    live.revocationWithdrawn("hop", "h1");
    expect(live.isRevoked("hop", "h1")).toBe(false);
  });

  it("keeps it revoked once committed, whatever is withdrawn afterwards", () => {
    const live = view();
    live.revocationPending("hop", "h1");
    live.change({ seq: 1, type: "revocation", revocation: revocation(1, "h1") });
    live.revocationWithdrawn("hop", "h1");
    expect(live.isRevoked("hop", "h1")).toBe(true);
  });

  it("keeps a pending revocation through a snapshot taken before it committed", () => {
    const live = view();
    live.revocationPending("hop", "h1");
    live.snapshot({ seq: 3, revocations: [], users: [], agents: [] });
    expect(live.isRevoked("hop", "h1")).toBe(true);
    live.snapshot({ seq: 4, revocations: [revocation(4, "h1")], users: [], agents: [] });
    live.revocationWithdrawn("hop", "h1");
    expect(live.isRevoked("hop", "h1")).toBe(true);
  });

  it("holds ids with spaces apart from their kind", () => {
    const live = view();
    live.revocationPending("user", "a b");
    expect(live.isRevoked("user", "a b")).toBe(true);
    expect(live.isRevoked("user", "a")).toBe(false);
  });
});
