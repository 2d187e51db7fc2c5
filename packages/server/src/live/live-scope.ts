import type { Revocation } from "@writ/core";
import type { LiveChange, LiveSnapshot, LiveStateMirror } from "@writ/core/backend";

/** A change with the tenancy facts needed to filter it, taken when the hub applied it. */
export interface ScopedChange {
  readonly change: LiveChange;
  /** For user/agent changes and removals: the principal's tenant before and after (null: none, or absent). */
  readonly before?: string | null;
  readonly after?: string | null;
  /** For revocations of a user, agent or key: the tenant it belonged to (null: none or unknown). */
  readonly owner?: string | null;
  /** For a principal entering a tenant: the revocations that concern it, which that tenant has not seen. */
  readonly prerequisites: readonly Revocation[];
}

/** The live state the hub holds, as the filters read it. */
export interface LiveState {
  readonly mirror: LiveStateMirror;
  /** Key thumbprint → agent id. */
  readonly keyOwners: ReadonlyMap<string, string>;
}

/**
 * The tenant a revocation belongs to: its user's, agent's or key's agent's.
 * Hops and issuer keys belong to everyone: hop ids are random and carry no
 * names, and every tenant's writs are signed by the issuer keys.
 */
export function revocationOwner(
  revocation: Revocation,
  state: LiveState,
): string | null | "everyone" {
  switch (revocation.kind) {
    case "hop":
    case "issuer_key":
      return "everyone";
    case "user":
      return state.mirror.user(revocation.id)?.tenant ?? null;
    case "agent":
      return state.mirror.agent(revocation.id)?.tenant ?? null;
    case "key": {
      const owner = state.keyOwners.get(revocation.id);
      return (owner === undefined ? undefined : state.mirror.agent(owner)?.tenant) ?? null;
    }
    case "api_key":
      return null; // the server's own keys: only operators' feeds carry them
  }
}

/**
 * The snapshot a tenant may see: its own users and agents, the revocations
 * of those and of their keys, and every hop and issuer-key revocation
 * (without reasons, which are free text another tenant wrote). A guard never
 * needs more: it refuses writs of users and agents it does not know.
 */
export function scopeSnapshot(state: LiveState, tenant: string | undefined): LiveSnapshot {
  const snapshot = state.mirror.snapshot();
  if (tenant === undefined) return snapshot;
  return {
    seq: snapshot.seq,
    revocations: snapshot.revocations.flatMap((revocation) => {
      const owner = revocationOwner(revocation, state);
      if (owner === "everyone") return [withoutReason(revocation)];
      return owner === tenant ? [revocation] : [];
    }),
    users: snapshot.users.filter((user) => user.tenant === tenant),
    agents: snapshot.agents.filter((agent) => agent.tenant === tenant),
  };
}

/** The changes of one sequence number a tenant may see (an operator sees the change itself). */
export function scopeChange(scoped: ScopedChange, tenant: string | undefined): LiveChange[] {
  const { change } = scoped;
  if (tenant === undefined) return [change];
  switch (change.type) {
    case "revocation": {
      if (change.revocation.kind === "hop" || change.revocation.kind === "issuer_key") {
        return [{ ...change, revocation: withoutReason(change.revocation) }];
      }
      return scoped.owner === tenant ? [change] : [];
    }
    case "user":
    case "agent": {
      if (scoped.after === tenant) {
        const entering = scoped.before !== tenant;
        return [
          ...(entering
            ? scoped.prerequisites.map((revocation) => ({
                seq: change.seq,
                type: "revocation" as const,
                revocation,
              }))
            : []),
          change,
        ];
      }
      if (scoped.before === tenant) {
        // Moved to another tenant: for this one it is gone.
        const id = change.type === "user" ? change.user.id : change.agent.id;
        return [
          { seq: change.seq, type: change.type === "user" ? "user_removed" : "agent_removed", id },
        ];
      }
      return [];
    }
    case "user_removed":
    case "agent_removed":
      return scoped.before === tenant ? [change] : [];
  }
}

function withoutReason(revocation: Revocation): Revocation {
  const { reason: _reason, ...rest } = revocation;
  return rest;
}
