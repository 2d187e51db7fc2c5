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
import { LiveStateMirror } from "./live-state-mirror.js";
import { PendingRevocations } from "./pending-revocations.js";

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
  readonly #state = new LiveStateMirror();
  /** Revocations this process began, enforced before they commit. */
  readonly #pending = new PendingRevocations();
  #lastHeard = Number.NEGATIVE_INFINITY;
  /** The feed reported a fault; cleared when it proves it is caught up (heartbeat or snapshot). */
  #feedDown = false;
  /** A change was missed; only a full snapshot can repair that. */
  #desynced = false;
  #watch: LiveWatch | undefined;
  /** Compiled once per state a change brings, on first use; a replaced state is compiled again. */
  readonly #users = new WeakMap<UserState, LiveUser>();
  readonly #agents = new WeakMap<AgentState, LiveAgent>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Attaches the running feed, so synchronous feeds count as always fresh and gaps can ask for a resync. */
  attach(watch: LiveWatch): void {
    this.#watch = watch;
  }

  get seq(): number {
    return this.#state.seq;
  }

  freshness(now: number, maxStalenessMs: number): LiveFreshness {
    // Catching up may apply changes, or find a gap: check the view after it.
    if (this.#watch?.catchUp && !this.#watch.catchUp()) return "unavailable";
    if (this.#state.seq < 0 || this.#feedDown || this.#desynced) return "unavailable";
    if (this.#watch?.synchronous) return "fresh";
    return now - this.#lastHeard <= maxStalenessMs ? "fresh" : "stale";
  }

  /** How long the feed has been silent at `now`, in ms: 0 for a synchronous feed, Infinity before the first snapshot. */
  silenceMs(now: number): number {
    return this.#watch?.synchronous ? 0 : Math.max(0, now - this.#lastHeard);
  }

  snapshot(snapshot: LiveSnapshot): void {
    this.#state.reset(snapshot);
    if (this.#pending.size > 0)
      this.#pending.forgetCommitted((kind, id) => this.#state.isRevoked(kind, id));
    this.#feedDown = false;
    this.#desynced = false;
    this.#lastHeard = this.#clock();
  }

  change(change: LiveChange): void {
    const result = this.#state.apply(change);
    if (result === "gap") {
      // A missed change could be a revocation: fail closed until a snapshot repairs the view.
      this.#desynced = true;
      this.#watch?.resync();
    } else if (result === "applied") {
      this.#lastHeard = this.#clock();
      if (change.type === "revocation")
        this.#pending.committed(change.revocation.kind, change.revocation.id);
    }
  }

  revocationPending(kind: RevocationKind, id: string): void {
    if (!this.#state.isRevoked(kind, id)) this.#pending.add(kind, id);
  }

  revocationWithdrawn(kind: RevocationKind, id: string): void {
    this.#pending.withdraw(kind, id);
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
    return (
      this.#state.isRevoked(kind, id) || (this.#pending.size > 0 && this.#pending.has(kind, id))
    );
  }

  user(id: string): LiveUser | undefined {
    const state = this.#state.user(id);
    if (!state) return undefined;
    let user = this.#users.get(state);
    if (!user) {
      user = { state, permissions: new CompiledGrants(state.permissions) };
      this.#users.set(state, user);
    }
    return user;
  }

  agent(id: string): LiveAgent | undefined {
    const state = this.#state.agent(id);
    if (!state) return undefined;
    let agent = this.#agents.get(state);
    if (!agent) {
      agent = { state, policy: new CompiledGrants(state.policy), keys: new Set(state.keys) };
      this.#agents.set(state, agent);
    }
    return agent;
  }
}
