import { CompiledGrants } from "../grants/compiled-grants.js";
import type {
  AgentState,
  LiveChange,
  LiveSink,
  LiveSnapshot,
  LiveWatch,
  RevocationKind,
  UserState,
} from "./live-state.js";

interface LiveUser {
  readonly state: UserState;
  readonly permissions: CompiledGrants;
}

interface LiveAgent {
  readonly state: AgentState;
  readonly policy: CompiledGrants;
  readonly keys: ReadonlySet<string>;
}

export type LiveFreshness = "fresh" | "stale" | "unavailable";

/**
 * A guard's in-memory view of live state, fed by a backend's push feed. It
 * answers every live question on the hot path without I/O, and knows when it
 * can no longer be trusted: no snapshot yet, a fault, a sequence gap, or
 * silence longer than the staleness bound.
 */
export class LiveView implements LiveSink {
  #seq = -1;
  #lastHeard = Number.NEGATIVE_INFINITY;
  /** The feed reported a fault; cleared when it proves it is caught up (heartbeat or snapshot). */
  #feedDown = false;
  /** A change was missed; only a full snapshot can repair that. */
  #desynced = false;
  #watch: LiveWatch | undefined;
  readonly #revoked = new Map<RevocationKind, Set<string>>();
  readonly #users = new Map<string, LiveUser>();
  readonly #agents = new Map<string, LiveAgent>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Attaches the running feed, so synchronous feeds count as always fresh and gaps can ask for a resync. */
  attach(watch: LiveWatch): void {
    this.#watch = watch;
  }

  get seq(): number {
    return this.#seq;
  }

  freshness(now: number, maxStalenessMs: number): LiveFreshness {
    if (this.#seq < 0 || this.#feedDown || this.#desynced) return "unavailable";
    if (this.#watch?.synchronous) return "fresh";
    return now - this.#lastHeard <= maxStalenessMs ? "fresh" : "stale";
  }

  snapshot(snapshot: LiveSnapshot): void {
    this.#revoked.clear();
    this.#users.clear();
    this.#agents.clear();
    for (const revocation of snapshot.revocations) this.#revoke(revocation.kind, revocation.id);
    for (const user of snapshot.users) this.#putUser(user);
    for (const agent of snapshot.agents) this.#putAgent(agent);
    this.#seq = snapshot.seq;
    this.#feedDown = false;
    this.#desynced = false;
    this.#lastHeard = this.#clock();
  }

  change(change: LiveChange): void {
    if (change.seq <= this.#seq) return; // already applied (feeds may overlap on catch-up)
    if (this.#seq < 0 || change.seq !== this.#seq + 1) {
      // A missed change could be a revocation: fail closed until a snapshot repairs the view.
      this.#desynced = true;
      this.#watch?.resync();
      return;
    }
    switch (change.type) {
      case "revocation":
        this.#revoke(change.revocation.kind, change.revocation.id);
        break;
      case "user":
        this.#putUser(change.user);
        break;
      case "user_removed":
        this.#users.delete(change.id);
        break;
      case "agent":
        this.#putAgent(change.agent);
        break;
      case "agent_removed":
        this.#agents.delete(change.id);
        break;
    }
    this.#seq = change.seq;
    this.#lastHeard = this.#clock();
  }

  /** Freshness is measured from when the guard heard the feed, not from the sender's clock. */
  heartbeat(): void {
    this.#feedDown = false;
    this.#lastHeard = this.#clock();
  }

  fault(): void {
    this.#feedDown = true;
  }

  isRevoked(kind: RevocationKind, id: string): boolean {
    return this.#revoked.get(kind)?.has(id) ?? false;
  }

  user(id: string): LiveUser | undefined {
    return this.#users.get(id);
  }

  agent(id: string): LiveAgent | undefined {
    return this.#agents.get(id);
  }

  #revoke(kind: RevocationKind, id: string): void {
    const ids = this.#revoked.get(kind) ?? new Set<string>();
    this.#revoked.set(kind, ids);
    ids.add(id);
  }

  #putUser(state: UserState): void {
    this.#users.set(state.id, { state, permissions: new CompiledGrants(state.permissions) });
  }

  #putAgent(state: AgentState): void {
    this.#agents.set(state.id, {
      state,
      policy: new CompiledGrants(state.policy),
      keys: new Set(state.keys),
    });
  }
}
