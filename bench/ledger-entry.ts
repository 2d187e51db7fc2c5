import { createHash } from "node:crypto";
import type { LedgerAppend } from "@writ/core/backend";

/** A guard's decision row as the ledger benches append it, distinct per index. */
export function entry(index: number): LedgerAppend {
  return {
    entry: {
      kind: "decision",
      time: Date.now(),
      user: "alice",
      agent: "worker",
      chain: { agents: ["planner", "worker"], hops: ["hop-a", "hop-b"] },
      action: "refunds.approve",
      tool: "approve_refund",
      decision: "allow",
      reason: "granted",
      callId: `bench-${index}`,
      durationMs: 0.12,
      inputHash: createHash("sha256").update(String(index)).digest("hex"),
    },
  };
}
