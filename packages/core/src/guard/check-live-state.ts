import { WritError } from "../errors.js";
import type { LiveView } from "../live/live-view.js";
import { servesTenant } from "../live/serves-tenant.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";

/**
 * The live half of verification (DESIGN §5): revocation of any hop, agent,
 * key, user or issuer key in the chain, then that the user and every agent
 * still exist, in the writ's tenant (or, for an agent, shared by every
 * tenant), with the keys the writ binds.
 * Revocation is never softened by clock skew.
 */
export function checkLiveState(view: LiveView, writ: VerifiedWrit): void {
  if (view.isRevoked("issuer_key", writ.issuerKid)) {
    throw new WritError("revoked.issuer_key", "The issuer key that signed this writ is revoked.", {
      hop: 0,
    });
  }
  if (view.isRevoked("user", writ.user)) {
    throw new WritError("revoked.user", "The user this writ acts for is revoked.");
  }
  for (const { index, claims } of writ.hops) {
    if (view.isRevoked("hop", claims.jti)) {
      throw new WritError("revoked.hop", `Hop ${index} of this writ is revoked.`, {
        hop: index,
        agent: claims.aud,
      });
    }
    if (view.isRevoked("agent", claims.aud)) {
      throw new WritError("revoked.agent", `Agent "${claims.aud}" is revoked.`, {
        hop: index,
        agent: claims.aud,
      });
    }
    if (view.isRevoked("key", claims.cnf.jkt)) {
      throw new WritError("revoked.key", `The key bound to hop ${index} is revoked.`, {
        hop: index,
        agent: claims.aud,
      });
    }
  }
  const user = view.user(writ.user);
  if (!user)
    throw new WritError(
      "live.user_unknown",
      `User "${writ.user}" is not known to this guard's backend.`,
    );
  if (user.state.tenant !== writ.tenant) {
    throw new WritError(
      "live.tenant_mismatch",
      `User "${writ.user}" belongs to another tenant than the writ names.`,
    );
  }
  for (const { index, claims } of writ.hops) {
    const agent = view.agent(claims.aud);
    const at = { hop: index, agent: claims.aud };
    if (!agent)
      throw new WritError("live.agent_unknown", `Agent "${claims.aud}" is not registered.`, at);
    if (!servesTenant(agent.state, writ.tenant)) {
      throw new WritError(
        "live.tenant_mismatch",
        `Agent "${claims.aud}" belongs to another tenant than the writ names.`,
        at,
      );
    }
    if (!agent.keys.has(claims.cnf.jkt)) {
      throw new WritError(
        "live.agent_key_unknown",
        `Hop ${index} binds a key that is not registered for agent "${claims.aud}".`,
        at,
      );
    }
  }
}
