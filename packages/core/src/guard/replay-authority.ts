import type { WritErrorCode } from "../errors.js";
import { CompiledGrants } from "../grants/compiled-grants.js";
import type { Grant } from "../grants/grant.js";
import { type AuthorityLayer, evaluateAuthority } from "./evaluate-authority.js";

/** The grants a recorded call is judged by, root→leaf, with the arguments it was made with. */
export interface AuthorityInput {
  readonly action: string;
  readonly args: unknown;
  /** Each hop's grants, as the writ carried them. */
  readonly hops: readonly (readonly Grant[])[];
  /** The agent of each hop. */
  readonly agents: readonly string[];
  /** The user's permissions; undefined when the user is unknown. */
  readonly permissions: readonly Grant[] | undefined;
  /** Each hop's agent's policy; undefined when the agent is unknown. */
  readonly policies: readonly (readonly Grant[] | undefined)[];
}

/** What the guard's grant evaluation decides for a call, or that it cannot tell offline. */
export type ReplayedDecision =
  | { readonly effect: "allow"; readonly code: "granted" }
  | { readonly effect: "approval_required"; readonly code: "approval.required" }
  | {
      readonly effect: "deny";
      readonly code: WritErrorCode;
      readonly hop?: number;
      readonly agent?: string;
      readonly path?: string;
    }
  /** A condition names a set (`inSet`), which only the application's resolver can answer. */
  | { readonly effect: "unknown"; readonly code: "grant.set_unavailable"; readonly path?: string };

/**
 * Decides a call the way the guard's grant step does (every hop's grants, the
 * user's permissions and every agent's policy must permit it; approval when a
 * layer permits only through grants that ask for it), from grants given as
 * data: what policy what-ifs replay recorded calls with. Signatures, expiry,
 * proofs and revocation are not part of it; sets are never resolved.
 */
export function replayAuthority(input: AuthorityInput): ReplayedDecision {
  if (input.permissions === undefined) return { effect: "deny", code: "live.user_unknown" };
  const missing = input.policies.indexOf(undefined);
  if (missing >= 0) {
    const agent = input.agents[missing];
    return { effect: "deny", code: "live.agent_unknown", ...(agent ? { agent } : {}) };
  }
  const layers: AuthorityLayer[] = [
    ...input.hops.map((grants, hop) => ({
      grants: new CompiledGrants(grants),
      source: "hop" as const,
      hop,
      ...(input.agents[hop] === undefined ? {} : { agent: input.agents[hop] }),
    })),
    { grants: new CompiledGrants(input.permissions), source: "permissions" },
    ...input.policies.map((policy, hop) => ({
      grants: new CompiledGrants(policy ?? []),
      source: "policy" as const,
      hop,
      ...(input.agents[hop] === undefined ? {} : { agent: input.agents[hop] }),
    })),
  ];
  const verdict = evaluateAuthority(layers, input.action, input.args, () => undefined);
  if (verdict.effect !== "deny") {
    return verdict.effect === "allow"
      ? { effect: "allow", code: "granted" }
      : { effect: "approval_required", code: "approval.required" };
  }
  if (verdict.code === "grant.set_unavailable") {
    return {
      effect: "unknown",
      code: "grant.set_unavailable",
      ...(verdict.path === undefined ? {} : { path: verdict.path }),
    };
  }
  return {
    effect: "deny",
    code: verdict.code,
    ...(verdict.hop === undefined ? {} : { hop: verdict.hop }),
    ...(verdict.agent === undefined ? {} : { agent: verdict.agent }),
    ...(verdict.path === undefined ? {} : { path: verdict.path }),
  };
}
