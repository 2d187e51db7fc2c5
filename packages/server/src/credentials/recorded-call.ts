import { actionMatches, type CallCheck, type Grant, WritError } from "@writ/core";
import type { Caller } from "../auth/caller.js";
import type { LiveHub } from "../live/live-hub.js";
import type { WritStore } from "../writ-store.js";

export type AllowedCall = Extract<CallCheck, { readonly valid: true }>;

/**
 * A call a guard in another process allowed, as the shared ledger and live
 * state show it: its decision row allows it, no outcome is recorded after
 * that (it is still running), it is the caller's tenant's, and nothing in
 * its chain has been revoked or lost the authority for its action since.
 * How recent it must be is the broker's bound. Any doubt refuses it.
 */
export async function verifyRecordedCall(
  store: WritStore,
  hub: LiveHub,
  caller: Caller,
  call: { readonly callId: string; readonly eventId: string },
): Promise<AllowedCall> {
  const rows = (await store.queryLedger({ callId: call.callId, limit: 1000 })).records;
  const decision = rows.find((row) => row.id === call.eventId);
  if (
    decision?.kind !== "decision" ||
    decision.decision !== "allow" ||
    (caller.tenant !== undefined && decision.tenant !== caller.tenant)
  ) {
    throw outside("No allowed call with that decision is recorded.");
  }
  if (rows.some((row) => row.kind === "outcome" && row.time >= decision.time)) {
    throw outside("The call's outcome is recorded: it is no longer running.");
  }
  const { user, chain, action, tool } = decision;
  if (user === null || chain === null || action === null || tool === null) {
    throw outside("The decision row does not name the call's user, chain and action.");
  }
  const revoked =
    hub.isRevoked("user", user) ||
    chain.agents.some((agent) => hub.isRevoked("agent", agent)) ||
    chain.hops.some((hop) => hub.isRevoked("hop", hop));
  if (revoked) {
    throw new WritError("revoked.hop", "Something in the call's chain has been revoked since.");
  }
  const permissions = hub.user(user)?.permissions;
  const policies = chain.agents.map((agent) => hub.agent(agent)?.policy);
  if (
    !permissions ||
    !mayPermit(permissions, action) ||
    policies.some((policy) => !policy || !mayPermit(policy, action))
  ) {
    throw new WritError(
      "live.permission_denied",
      `The user or an agent of the chain no longer holds ${action}.`,
    );
  }
  return {
    valid: true,
    callId: call.callId,
    action,
    tool,
    user,
    agent: chain.agents.at(-1) as string,
    chain: chain.agents,
    hops: chain.hops,
    decidedAt: decision.time,
    ...(decision.tenant === null ? {} : { tenant: decision.tenant }),
  };
}

/** Whether some grant could permit the action, whatever the arguments. */
function mayPermit(grants: readonly Grant[], action: string): boolean {
  return grants.some((grant) => actionMatches(grant.action, action));
}

function outside(message: string): WritError {
  return new WritError("credential.outside_call", message);
}
