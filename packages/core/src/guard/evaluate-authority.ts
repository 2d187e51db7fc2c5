import type { CompiledGrants, SetMembership, SetQuery } from "../grants/compiled-grants.js";
import type { LiveView } from "../live/live-view.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";

/** One grant list the call must pass, and who it speaks for. */
export interface AuthorityLayer {
  readonly grants: CompiledGrants;
  /** `grant.*` for hop layers, `live.*` for current permissions and policies. */
  readonly source: "hop" | "permissions" | "policy";
  readonly hop?: number;
  readonly agent?: string;
}

/** The grant of a layer that permits the call: its budgets are the ones charged. */
export interface LayerPermit {
  readonly layer: AuthorityLayer;
  readonly grant: number;
}

export type AuthorityVerdict =
  | { readonly effect: "allow" | "approval_required"; readonly permits: readonly LayerPermit[] }
  | {
      readonly effect: "deny";
      readonly code:
        | "grant.action_not_granted"
        | "grant.condition_failed"
        | "grant.set_unavailable"
        | "live.permission_denied"
        | "live.policy_denied";
      readonly hop?: number;
      readonly agent?: string;
      readonly grant?: number;
      readonly path?: string;
      readonly operator?: string;
    };

/**
 * Every layer must permit the call: each hop's grants (security never rests on
 * the subset check at delegation), the user's current permissions and the
 * current policy of every agent in the chain. Approval is needed when any layer
 * permits only through grants that ask for it.
 */
export function authorityLayers(writ: VerifiedWrit, view: LiveView): AuthorityLayer[] {
  const layers = [...hopLayersOf(writ)];
  const user = view.user(writ.user);
  if (user) layers.push({ grants: user.permissions, source: "permissions" });
  writ.hops.forEach((hop) => {
    const agent = view.agent(hop.claims.aud);
    if (agent)
      layers.push({
        grants: agent.policy,
        source: "policy",
        hop: hop.index,
        agent: hop.claims.aud,
      });
  });
  return layers;
}

/** Each verified writ's hop layers, made once: a verifier answers every call of a writ with one VerifiedWrit. */
const hopLayers = new WeakMap<VerifiedWrit, readonly AuthorityLayer[]>();

function hopLayersOf(writ: VerifiedWrit): readonly AuthorityLayer[] {
  let layers = hopLayers.get(writ);
  if (layers === undefined) {
    layers = writ.hops.map((hop) => ({
      grants: hop.grants,
      source: "hop",
      hop: hop.index,
      agent: hop.claims.aud,
    }));
    hopLayers.set(writ, layers);
  }
  return layers;
}

export function setQueriesOf(
  layers: readonly AuthorityLayer[],
  action: string,
  args: unknown,
): SetQuery[] {
  const queries: SetQuery[] = [];
  for (const layer of layers)
    if (layer.grants.usesSets) queries.push(...layer.grants.setQueries(action, args));
  return queries;
}

export function evaluateAuthority(
  layers: readonly AuthorityLayer[],
  action: string,
  args: unknown,
  membership: SetMembership,
): AuthorityVerdict {
  let approval = false;
  const permits: LayerPermit[] = [];
  for (const layer of layers) {
    const verdict = layer.grants.evaluate(action, args, membership);
    if (verdict.permitted) {
      approval ||= verdict.approval;
      permits.push({ layer, grant: verdict.grant });
      continue;
    }
    const at = {
      ...(layer.hop === undefined ? {} : { hop: layer.hop }),
      ...(layer.agent === undefined ? {} : { agent: layer.agent }),
    };
    if (layer.source === "hop" || verdict.code === "grant.set_unavailable") {
      return verdict.code === "grant.action_not_granted"
        ? { effect: "deny", code: verdict.code, ...at }
        : {
            effect: "deny",
            code: verdict.code,
            ...at,
            grant: verdict.grant,
            path: verdict.path,
            operator: verdict.operator,
          };
    }
    return {
      effect: "deny",
      code: layer.source === "permissions" ? "live.permission_denied" : "live.policy_denied",
      ...at,
      ...(verdict.code === "grant.action_not_granted"
        ? {}
        : { path: verdict.path, operator: verdict.operator }),
    };
  }
  return { effect: approval ? "approval_required" : "allow", permits };
}
