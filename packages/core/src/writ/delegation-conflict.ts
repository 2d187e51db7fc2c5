import type { DelegationRecord } from "../backend/backend.js";
import { WritError } from "../errors.js";

/**
 * Why the delegation graph must refuse to record `record`, given the hop it
 * already holds under the same id and the one under the parent's id; undefined
 * when it may record it (or holds exactly this hop already). A hop id names
 * one hop for good (revocations and the ledger find hops by it), and a hop
 * continues its parent's user and tenant, so a guard key cannot file a hop
 * under another chain, user or tenant.
 */
export function delegationConflict(
  record: DelegationRecord,
  recorded: DelegationRecord | undefined,
  parent: DelegationRecord | undefined,
): WritError | undefined {
  if (recorded !== undefined) {
    return sameHop(recorded, record)
      ? undefined
      : new WritError(
          "writ.jti_reused",
          "Another hop is already recorded under this hop's id (jti); hop ids must be unique.",
          { name: record.jti },
        );
  }
  if (parent !== undefined && (parent.user !== record.user || parent.tenant !== record.tenant)) {
    return new WritError(
      "writ.broken_chain",
      "The hop names another user or tenant than the parent hop recorded under its parentJti.",
      { name: record.jti },
    );
  }
  return undefined;
}

function sameHop(a: DelegationRecord, b: DelegationRecord): boolean {
  return (
    a.parentJti === b.parentJti &&
    a.user === b.user &&
    a.tenant === b.tenant &&
    a.fromAgent === b.fromAgent &&
    a.toAgent === b.toAgent &&
    a.issuer === b.issuer &&
    a.issuedAt === b.issuedAt &&
    a.expiresAt === b.expiresAt
  );
}
