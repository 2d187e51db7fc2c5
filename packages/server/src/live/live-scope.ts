import type { Revocation } from "@writ/core";
import type { AgentState, LiveChange, LiveSnapshot, LiveStateMirror } from "@writ/core/backend";

/**
 * Whom a record of the live state belongs to: a tenant, no tenant (null), or
 * every tenant (hop and issuer-key revocations, shared agents). A symbol, so
 * no tenant's id can be mistaken for it.
 */
export const EVERY_TENANT: unique symbol = Symbol("every tenant");
export type Owner = string | null | typeof EVERY_TENANT;

/** A change with the tenancy facts needed to filter it, taken when the hub applied it. */
export interface ScopedChange {
  readonly change: LiveChange;
  /** For user/agent changes and removals: the principal's owner before and after (null: none, or absent). */
  readonly before?: Owner;
  readonly after?: Owner;
  /** For revocations: whom it belongs to (null: none or unknown). */
  readonly owner?: Owner;
  /** For a principal entering a tenant: the revocations that concern it, which that tenant has not seen. */
  readonly prerequisites: readonly Revocation[];
}

/** The live state the hub holds, as the filters read it. */
export interface LiveState {
  readonly mirror: LiveStateMirror;
  /** Key thumbprint → agent id. */
  readonly keyOwners: ReadonlyMap<string, string>;
}

/** An agent belongs to its tenant, or to every tenant when it is shared. */
export function agentOwner(agent: AgentState | undefined): Owner {
  if (agent?.shared) return EVERY_TENANT;
  return agent?.tenant ?? null;
}

/**
 * Whom a revocation belongs to: its user's, agent's or key's agent's tenant.
 * Hops and issuer keys belong to everyone: hop ids are random and carry no
 * names, and every tenant's writs are signed by the issuer keys.
 */
export function revocationOwner(revocation: Revocation, state: LiveState): Owner {
  switch (revocation.kind) {
    case "hop":
    case "issuer_key":
      return EVERY_TENANT;
    case "user":
      return state.mirror.user(revocation.id)?.tenant ?? null;
    case "agent":
      return agentOwner(state.mirror.agent(revocation.id));
    case "key": {
      const owner = state.keyOwners.get(revocation.id);
      return owner === undefined ? null : agentOwner(state.mirror.agent(owner));
    }
    case "api_key":
      return null; // the server's own keys: only operators' feeds carry them
  }
}

function visibleTo(owner: Owner | undefined, tenant: string): boolean {
  return owner === EVERY_TENANT || owner === tenant;
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
      if (owner === EVERY_TENANT) return [withoutReason(revocation)];
      return owner === tenant ? [revocation] : [];
    }),
    users: snapshot.users.filter((user) => user.tenant === tenant),
    agents: snapshot.agents.filter((agent) => visibleTo(agentOwner(agent), tenant)),
  };
}

/** The changes of one sequence number a tenant may see (an operator sees the change itself). */
export function scopeChange(scoped: ScopedChange, tenant: string | undefined): LiveChange[] {
  const { change } = scoped;
  if (tenant === undefined) return [change];
  switch (change.type) {
    case "revocation": {
      if (scoped.owner === EVERY_TENANT) {
        return [{ ...change, revocation: withoutReason(change.revocation) }];
      }
      return scoped.owner === tenant ? [change] : [];
    }
    case "user":
    case "agent": {
      if (visibleTo(scoped.after, tenant)) {
        const entering = !visibleTo(scoped.before, tenant);
        return [
          ...(entering
            ? scoped.prerequisites.map((revocation) => ({
                seq: change.seq,
                type: "revocation" as const,
                // A shared agent's revocation reasons are the operator's words, not a tenant's.
                revocation: scoped.after === EVERY_TENANT ? withoutReason(revocation) : revocation,
              }))
            : []),
          change,
        ];
      }
      if (visibleTo(scoped.before, tenant)) {
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
      return visibleTo(scoped.before, tenant) ? [change] : [];
  }
}

function withoutReason(revocation: Revocation): Revocation {
  const { reason: _reason, ...rest } = revocation;
  return rest;
}
