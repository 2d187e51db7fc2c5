import type { DelegationRecord } from "../backend/backend.js";
import type { Hop } from "./hop.js";

/**
 * The delegation graph's record of each hop of a writ (decoded or verified):
 * who delegated what to whom, linked to the parent hop.
 */
export function delegationRecords(writ: { readonly hops: readonly Hop[] }): DelegationRecord[] {
  const issuer = writ.hops[0]?.claims.iss;
  return writ.hops.map(({ claims }, index) => ({
    jti: claims.jti,
    parentJti: index === 0 ? null : (writ.hops[index - 1]?.claims.jti ?? null),
    user: claims.sub,
    tenant: claims.tnt ?? null,
    fromAgent: index === 0 ? null : claims.iss,
    toAgent: claims.aud,
    issuer: issuer as string,
    grants: claims.grants,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
  }));
}
