import type { Revocation } from "../live/live-state.js";
import type { LedgerEntry } from "./ledger-record.js";

/** The ledger row that records a revocation; `by` names who revoked, when known. */
export function revocationEntry(revocation: Revocation, by?: string): LedgerEntry {
  const { kind, id, seq, at, reason } = revocation;
  return {
    kind: "revocation",
    time: at,
    ...(kind === "user" ? { user: id } : {}),
    ...(kind === "agent" ? { agent: id } : {}),
    detail: {
      target: kind,
      id,
      seq,
      ...(reason === undefined ? {} : { reason }),
      ...(by === undefined ? {} : { by }),
    },
  };
}
