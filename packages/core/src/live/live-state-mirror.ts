import type {
  AgentState,
  LiveChange,
  LiveSnapshot,
  Revocation,
  RevocationKind,
  UserState,
} from "./live-state.js";

/** What applying a change did: applied it, ignored one already applied, or refused one after a gap. */
export type LiveChangeResult = "applied" | "seen" | "gap";

/**
 * The live state as of one sequence number: a snapshot, then each change in
 * sequence order. A change that does not follow the last one is refused,
 * since a missed change could be a revocation; only a new snapshot repairs
 * that. Guards' views, the server's live hub and the memory backend each
 * keep one.
 */
export class LiveStateMirror {
  #seq = -1;
  readonly #revocations = new Map<RevocationKind, Map<string, Revocation>>();
  readonly #users = new Map<string, UserState>();
  readonly #agents = new Map<string, AgentState>();

  /** The sequence number of the last snapshot or change; -1 before the first snapshot. */
  get seq(): number {
    return this.#seq;
  }

  /** Replaces everything with the snapshot. */
  reset(snapshot: LiveSnapshot): void {
    this.#revocations.clear();
    this.#users.clear();
    this.#agents.clear();
    for (const revocation of snapshot.revocations) this.#revoke(revocation);
    for (const user of snapshot.users) this.#users.set(user.id, user);
    for (const agent of snapshot.agents) this.#agents.set(agent.id, agent);
    this.#seq = snapshot.seq;
  }

  /** Applies `change` if it is the next one (feeds may overlap on catch-up: earlier ones are "seen"). */
  apply(change: LiveChange): LiveChangeResult {
    if (change.seq <= this.#seq) return "seen";
    if (this.#seq < 0 || change.seq !== this.#seq + 1) return "gap";
    switch (change.type) {
      case "revocation":
        this.#revoke(change.revocation);
        break;
      case "user":
        this.#users.set(change.user.id, change.user);
        break;
      case "user_removed":
        this.#users.delete(change.id);
        break;
      case "agent":
        this.#agents.set(change.agent.id, change.agent);
        break;
      case "agent_removed":
        this.#agents.delete(change.id);
        break;
    }
    this.#seq = change.seq;
    return "applied";
  }

  isRevoked(kind: RevocationKind, id: string): boolean {
    return this.#revocations.get(kind)?.has(id) ?? false;
  }

  revocation(kind: RevocationKind, id: string): Revocation | undefined {
    return this.#revocations.get(kind)?.get(id);
  }

  user(id: string): UserState | undefined {
    return this.#users.get(id);
  }

  agent(id: string): AgentState | undefined {
    return this.#agents.get(id);
  }

  /** The whole state, revocations in sequence order. */
  snapshot(): LiveSnapshot {
    return {
      seq: this.#seq,
      revocations: [...this.#revocations.values()]
        .flatMap((revocations) => [...revocations.values()])
        .sort((a, b) => a.seq - b.seq),
      users: [...this.#users.values()],
      agents: [...this.#agents.values()],
    };
  }

  #revoke(revocation: Revocation): void {
    let revoked = this.#revocations.get(revocation.kind);
    if (!revoked) {
      revoked = new Map();
      this.#revocations.set(revocation.kind, revoked);
    }
    revoked.set(revocation.id, revocation);
  }
}
