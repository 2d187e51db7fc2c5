import type { LiveChange } from "@writ/core/backend";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LiveEvent } from "../src/live/live-event.js";
import { LiveHub } from "../src/live/live-hub.js";

function hubWith(tenant: string | undefined) {
  const hub = new LiveHub({ heartbeatMs: 1000, replayBuffer: 100, clock: () => 0 });
  hub.snapshot({ seq: 0, revocations: [], users: [], agents: [] });
  const events: LiveEvent[] = [];
  hub.subscribe({ tenant, send: (event) => events.push(event), close: () => undefined }, undefined);
  events.length = 0;
  return { hub, events };
}

const changesOf = (events: LiveEvent[]) =>
  events.flatMap((event) =>
    event.type === "change" ? [[event.id, event.changes.map(label)]] : [],
  );

function label(change: LiveChange): string {
  switch (change.type) {
    case "revocation":
      return `revoke ${change.revocation.kind}:${change.revocation.id}${change.revocation.reason ? ` (${change.revocation.reason})` : ""}`;
    case "user":
      return `user ${change.user.id}`;
    case "agent":
      return `agent ${change.agent.id}`;
    default:
      return `${change.type} ${change.id}`;
  }
}

describe("the live hub's tenant scoping", () => {
  it("sends a tenant one event per sequence number, with only what concerns it", () => {
    const { hub, events } = hubWith("a");
    hub.change({ seq: 1, type: "user", user: { id: "ann", tenant: "a", permissions: [] } });
    hub.change({ seq: 2, type: "user", user: { id: "bob", tenant: "b", permissions: [] } });
    hub.change({
      seq: 3,
      type: "revocation",
      revocation: { kind: "user", id: "bob", seq: 3, at: 0, reason: "b only" },
    });
    hub.change({
      seq: 4,
      type: "revocation",
      revocation: { kind: "hop", id: "j1", seq: 4, at: 0, reason: "private" },
    });
    hub.change({
      seq: 5,
      type: "revocation",
      revocation: { kind: "user", id: "ann", seq: 5, at: 0, reason: "left" },
    });
    expect(changesOf(events)).toEqual([
      [1, ["user ann"]],
      [2, []],
      [3, []],
      [4, ["revoke hop:j1"]],
      [5, ["revoke user:ann (left)"]],
    ]);
  });

  it("tells a tenant when a principal leaves it, and what is revoked about one that arrives", () => {
    const { hub, events } = hubWith("a");
    hub.change({
      seq: 1,
      type: "agent",
      agent: { id: "bot", tenant: "b", policy: [], keys: ["k1"] },
    });
    hub.change({
      seq: 2,
      type: "revocation",
      revocation: { kind: "key", id: "k1", seq: 2, at: 0 },
    });
    hub.change({
      seq: 3,
      type: "agent",
      agent: { id: "bot", tenant: "a", policy: [], keys: ["k1"] },
    });
    hub.change({
      seq: 4,
      type: "agent",
      agent: { id: "bot", tenant: "b", policy: [], keys: ["k1"] },
    });
    hub.change({ seq: 5, type: "agent_removed", id: "bot" });
    expect(changesOf(events)).toEqual([
      [1, []],
      [2, []],
      [3, ["revoke key:k1", "agent bot"]],
      [4, ["agent_removed bot"]],
      [5, []],
    ]);
  });

  it("sends every tenant a shared agent and what is revoked about it, without the operator's reasons", () => {
    const { hub, events } = hubWith("a");
    hub.change({ seq: 1, type: "agent", agent: { id: "gw", policy: [], keys: ["k1"] } });
    hub.change({
      seq: 2,
      type: "revocation",
      revocation: { kind: "key", id: "k1", seq: 2, at: 0, reason: "rotated" },
    });
    hub.change({
      seq: 3,
      type: "agent",
      agent: { id: "gw", shared: true, policy: [], keys: ["k1"] },
    });
    hub.change({
      seq: 4,
      type: "revocation",
      revocation: { kind: "agent", id: "gw", seq: 4, at: 0, reason: "retired" },
    });
    hub.change({
      seq: 5,
      type: "agent",
      agent: { id: "gw", tenant: "b", policy: [], keys: ["k1"] },
    });
    expect(changesOf(events)).toEqual([
      [1, []],
      [2, []],
      [3, ["revoke key:k1", "agent gw"]],
      [4, ["revoke agent:gw"]],
      [5, ["agent_removed gw"]],
    ]);
    const late = hubWith("b");
    late.hub.snapshot({
      seq: 1,
      revocations: [{ kind: "agent", id: "gw", seq: 1, at: 0, reason: "retired" }],
      users: [],
      agents: [{ id: "gw", shared: true, policy: [], keys: [] }],
    });
    const snapshots = late.events.flatMap((event) => (event.type === "snapshot" ? [event] : []));
    expect(snapshots.at(-1)?.snapshot).toMatchObject({
      revocations: [{ kind: "agent", id: "gw" }],
      agents: [{ id: "gw", shared: true }],
    });
    expect(snapshots.at(-1)?.snapshot.revocations[0]?.reason).toBeUndefined();
  });

  it('sends a revocation to its tenant, and to no other, even a tenant named "everyone"', () => {
    const own = hubWith("everyone");
    const other = hubWith("a");
    for (const { hub } of [own, other]) {
      hub.change({
        seq: 1,
        type: "user",
        user: { id: "eve", tenant: "everyone", permissions: [] },
      });
      hub.change({
        seq: 2,
        type: "revocation",
        revocation: { kind: "user", id: "eve", seq: 2, at: 0, reason: "left" },
      });
    }
    expect(changesOf(own.events)).toEqual([
      [1, ["user eve"]],
      [2, ["revoke user:eve (left)"]],
    ]);
    expect(changesOf(other.events)).toEqual([
      [1, []],
      [2, []],
    ]);
  });

  it("passes everything to an operator's feed, and fails every feed closed on a sequence gap", () => {
    const { hub, events } = hubWith(undefined);
    hub.change({ seq: 1, type: "user", user: { id: "bob", tenant: "b", permissions: [] } });
    hub.change({ seq: 3, type: "user_removed", id: "bob" });
    expect(changesOf(events)).toEqual([[1, ["user bob"]]]);
    expect(events.at(-1)).toMatchObject({ type: "fault", code: "live.unavailable" });
    expect(hub.healthy).toBe(false);
  });
});

describe("the live hub's read-your-writes wait", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const revocation = (seq: number, id: string): LiveChange => ({
    seq,
    type: "revocation",
    revocation: { kind: "api_key", id, seq, at: 0 },
  });

  it("resolves at once when the state already holds, and when a later change makes it hold", async () => {
    const { hub } = hubWith(undefined);
    hub.change(revocation(1, "k1"));
    await expect(hub.reflects(() => hub.isRevoked("api_key", "k1"), 1000)).resolves.toBe(true);
    const waiting = hub.reflects(() => hub.isRevoked("api_key", "k2"), 1000);
    hub.change(revocation(2, "k2"));
    await expect(waiting).resolves.toBe(true);
  });

  it("gives up after the wait, saying so", async () => {
    vi.useFakeTimers();
    const { hub } = hubWith(undefined);
    const waiting = hub.reflects(() => hub.isRevoked("api_key", "never"), 2000);
    vi.advanceTimersByTime(2000);
    await expect(waiting).resolves.toBe(false);
  });
});
