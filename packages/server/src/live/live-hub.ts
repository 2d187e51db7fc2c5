import {
  type Backend,
  type Clock,
  type Revocation,
  type RevocationKind,
  WritError,
} from "@writ/core";
import {
  type AgentState,
  type LiveChange,
  type LiveSink,
  type LiveSnapshot,
  LiveStateMirror,
  type LiveWatch,
  type UserState,
} from "@writ/core/backend";
import type { LiveEvent } from "./live-event.js";
import {
  agentOwner,
  type LiveState,
  revocationOwner,
  type ScopedChange,
  scopeChange,
  scopeSnapshot,
} from "./live-scope.js";

export interface LiveHubOptions {
  /** Heartbeat period for a store whose feed is synchronous (SQLite), in ms. */
  readonly heartbeatMs: number;
  /** Recent changes kept so a reconnecting client resumes without a snapshot. */
  readonly replayBuffer: number;
  readonly clock: Clock;
}

/** One SSE connection's end of the hub. */
export interface LiveSubscriber {
  /** Undefined: an operator's feed, unfiltered. */
  readonly tenant: string | undefined;
  send(event: LiveEvent): void;
  /** Ends the connection (the server is shutting down). */
  close(): void;
}

interface Subscription {
  readonly subscriber: LiveSubscriber;
  /** The last sequence number this subscriber has (it may be ahead of the hub after switching servers). */
  position: number;
}

/**
 * The server's one watch on its store, fanned out to every SSE client. It
 * keeps the whole live state (so a client gets a snapshot without a query)
 * and the recent changes (so a reconnecting client resumes from its last
 * sequence number), and passes the store feed's health on: heartbeats while
 * it is alive, a fault when it breaks, so remote guards fail closed with it.
 */
export class LiveHub implements LiveSink {
  readonly #options: LiveHubOptions;
  readonly #subscriptions = new Set<Subscription>();
  readonly #mirror = new LiveStateMirror();
  readonly #keyOwners = new Map<string, string>();
  readonly #state: LiveState = { mirror: this.#mirror, keyOwners: this.#keyOwners };
  #recent: ScopedChange[] = [];
  /** Routes waiting to see their own change arrive (each returns true once it has). */
  readonly #waiters = new Set<() => boolean>();
  #fault: Error | undefined;
  #watch: LiveWatch | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LiveHubOptions) {
    this.#options = options;
  }

  /** Watches the store; resolves once the first snapshot is in. */
  async start(store: Backend): Promise<void> {
    this.#watch = await store.watch(this);
    const watch = this.#watch;
    if (watch.synchronous) {
      // An embedded store is never stale while its watcher reads: prove life on a timer,
      // after catching up with what other processes committed (a failed look faults the hub).
      this.#timer = setInterval(() => {
        if (watch.catchUp?.() !== false) this.heartbeat(this.#options.clock());
      }, this.#options.heartbeatMs);
      this.#timer.unref();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const subscription of this.#subscriptions) subscription.subscriber.close();
    this.#subscriptions.clear();
    await this.#watch?.close();
  }

  get seq(): number {
    return this.#mirror.seq;
  }

  /** Whether the hub's state can be trusted right now. */
  get healthy(): boolean {
    return this.#mirror.seq >= 0 && this.#fault === undefined;
  }

  agent(id: string): AgentState | undefined {
    return this.#mirror.agent(id);
  }

  user(id: string): UserState | undefined {
    return this.#mirror.user(id);
  }

  isRevoked(kind: RevocationKind, id: string): boolean {
    return this.#mirror.isRevoked(kind, id);
  }

  /** The agent a key is registered for. */
  keyOwner(thumbprint: string): string | undefined {
    return this.#keyOwners.get(thumbprint);
  }

  /**
   * Resolves true once the hub's state satisfies `holds`, or false after
   * `withinMs`. A change this instance makes reaches its own state through
   * the store's feed like any other (at once on SQLite, after a round trip
   * on Postgres): a route waits for it, so what it answers is already
   * enforced here (read your writes).
   */
  reflects(holds: () => boolean, withinMs: number): Promise<boolean> {
    if (holds()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (!holds()) return false;
        clearTimeout(timer);
        resolve(true);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(false);
      }, withinMs);
      timer.unref();
      this.#waiters.add(check);
    });
  }

  /**
   * Adds a client. With `lastEventId` it resumes: the changes after it when
   * they are still in the buffer, otherwise a fresh snapshot. Then it learns
   * the feed's health at once, so its view recovers without waiting.
   */
  subscribe(subscriber: LiveSubscriber, lastEventId: number | undefined): () => void {
    const seq = this.#mirror.seq;
    const subscription: Subscription = { subscriber, position: seq };
    const first = this.#recent[0]?.change.seq ?? seq + 1;
    if (lastEventId !== undefined && lastEventId >= seq) {
      // Caught up already (or ahead, coming from a server whose feed is a little further on).
      subscription.position = lastEventId;
    } else if (lastEventId !== undefined && lastEventId >= first - 1) {
      subscription.position = lastEventId;
      for (const scoped of this.#recent) this.#sendChange(subscription, scoped);
    } else {
      subscriber.send({
        type: "snapshot",
        id: seq,
        snapshot: scopeSnapshot(this.#state, subscriber.tenant),
      });
    }
    this.#subscriptions.add(subscription);
    this.#sendHealth(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  get subscribers(): number {
    return this.#subscriptions.size;
  }

  // ── LiveSink: the store's feed ───────────────────────────────────────────

  snapshot(snapshot: LiveSnapshot): void {
    this.#mirror.reset(snapshot);
    this.#keyOwners.clear();
    for (const agent of snapshot.agents) this.#addKeys(agent);
    this.#recent = [];
    this.#fault = undefined;
    this.#settleWaiters();
    for (const subscription of this.#subscriptions) {
      subscription.position = snapshot.seq;
      subscription.subscriber.send({
        type: "snapshot",
        id: snapshot.seq,
        snapshot: scopeSnapshot(this.#state, subscription.subscriber.tenant),
      });
      this.#sendHealth(subscription);
    }
  }

  change(change: LiveChange): void {
    // Tenancy facts and the agent a change replaces are read from the state before it.
    const scoped = this.#scope(change);
    const replaced =
      change.type === "agent" || change.type === "agent_removed"
        ? this.#mirror.agent(change.type === "agent" ? change.agent.id : change.id)
        : undefined;
    const result = this.#mirror.apply(change);
    if (result === "seen") return;
    if (result === "gap") {
      // A missed change could be a revocation: fail closed until the store resends a snapshot.
      this.fault(new WritError("live.unavailable", "The server's live feed skipped a change."));
      this.#watch?.resync();
      return;
    }
    if (replaced) this.#removeKeys(replaced);
    if (change.type === "agent") this.#addKeys(change.agent);
    this.#recent.push(scoped);
    if (this.#recent.length > this.#options.replayBuffer) this.#recent.shift();
    this.#settleWaiters();
    for (const subscription of this.#subscriptions) this.#sendChange(subscription, scoped);
  }

  heartbeat(at: number): void {
    const seq = this.#mirror.seq;
    if (seq < 0) return;
    this.#fault = undefined;
    for (const subscription of this.#subscriptions) {
      subscription.subscriber.send({ type: "heartbeat", seq, at });
    }
  }

  fault(error: Error): void {
    this.#fault = error;
    for (const subscription of this.#subscriptions) this.#sendHealth(subscription);
  }

  // ── Internals ────────────────────────────────────────────────────────────

  #settleWaiters(): void {
    for (const check of this.#waiters) if (check()) this.#waiters.delete(check);
  }

  #sendChange(subscription: Subscription, scoped: ScopedChange): void {
    const { seq } = scoped.change;
    if (seq <= subscription.position) return;
    subscription.position = seq;
    subscription.subscriber.send({
      type: "change",
      id: seq,
      changes: scopeChange(scoped, subscription.subscriber.tenant),
    });
  }

  #sendHealth(subscription: Subscription): void {
    const { subscriber } = subscription;
    if (!this.healthy) {
      subscriber.send({
        type: "fault",
        code: "live.unavailable",
        message: "The Writ server's live feed from its store is down; it is reconnecting.",
      });
    } else {
      subscriber.send({ type: "heartbeat", seq: this.#mirror.seq, at: this.#options.clock() });
    }
  }

  /** Who a change concerns before and after it, for tenant filtering. */
  #scope(change: LiveChange): ScopedChange {
    switch (change.type) {
      case "revocation": {
        return {
          change,
          owner: revocationOwner(change.revocation, this.#state),
          prerequisites: [],
        };
      }
      case "user":
        return {
          change,
          before: this.#mirror.user(change.user.id)?.tenant ?? null,
          after: change.user.tenant ?? null,
          prerequisites: this.#revocationsOf([["user", change.user.id]]),
        };
      case "user_removed":
        return {
          change,
          before: this.#mirror.user(change.id)?.tenant ?? null,
          after: null,
          prerequisites: [],
        };
      case "agent":
        return {
          change,
          before: agentOwner(this.#mirror.agent(change.agent.id)),
          after: agentOwner(change.agent),
          prerequisites: this.#revocationsOf([
            ["agent", change.agent.id],
            ...change.agent.keys.map((key) => ["key", key] as const),
          ]),
        };
      case "agent_removed":
        return {
          change,
          before: agentOwner(this.#mirror.agent(change.id)),
          after: null,
          prerequisites: [],
        };
    }
  }

  #revocationsOf(targets: readonly (readonly [RevocationKind, string])[]): Revocation[] {
    return targets.flatMap(([kind, id]) => {
      const revocation = this.#mirror.revocation(kind, id);
      return revocation ? [revocation] : [];
    });
  }

  #removeKeys(agent: AgentState): void {
    for (const key of agent.keys) {
      if (this.#keyOwners.get(key) === agent.id) this.#keyOwners.delete(key);
    }
  }

  #addKeys(agent: AgentState): void {
    for (const key of agent.keys) this.#keyOwners.set(key, agent.id);
  }
}
