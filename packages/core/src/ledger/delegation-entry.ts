import type { DelegationRecord } from "../backend/backend.js";
import type { LedgerEntry } from "./ledger-record.js";

/** The ledger row that records a hop the delegation graph saw for the first time. */
export function delegationEntry(record: DelegationRecord, time: number): LedgerEntry {
  return {
    kind: "delegation",
    time,
    tenant: record.tenant ?? undefined,
    user: record.user,
    agent: record.toAgent,
    detail: { jti: record.jti, parentJti: record.parentJti, fromAgent: record.fromAgent },
  };
}
