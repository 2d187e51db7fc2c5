import type { LedgerRecord } from "@writ/core";

/** The ECS version these documents follow. */
export const ECS_VERSION = "8.11.0";

function outcomeOf(record: LedgerRecord): "success" | "failure" | "unknown" {
  if (record.decision === "deny" || record.outcome === "error") return "failure";
  if (record.decision === "approval_required") return "unknown";
  return "success";
}

/**
 * A ledger row as an Elastic Common Schema document. Writ's own facts live
 * under the custom `writ` field set; ECS `agent` is the shipper, so the AI
 * agent is `writ.agent`.
 */
export function toEcsEvent(record: LedgerRecord): Record<string, unknown> {
  return {
    "@timestamp": new Date(record.time).toISOString(),
    ecs: { version: ECS_VERSION },
    event: {
      id: record.id,
      kind: "event",
      category:
        record.kind === "decision" || record.kind === "approval" ? ["iam"] : ["configuration"],
      type:
        record.kind === "decision" ? [record.decision === "deny" ? "denied" : "allowed"] : ["info"],
      action: record.action ?? record.kind,
      outcome: outcomeOf(record),
      dataset: "writ.ledger",
      provider: "writ",
      sequence: record.seq,
      ...(record.reason === null ? {} : { reason: record.reason }),
      ...(record.durationMs === null
        ? {}
        : { duration: Math.round(record.durationMs * 1_000_000) }),
      hash: record.hash,
    },
    ...(record.user === null ? {} : { user: { id: record.user } }),
    ...(record.tenant === null ? {} : { organization: { id: record.tenant } }),
    ...(record.error === null
      ? {}
      : { error: { message: record.error, ...(record.reason ? { code: record.reason } : {}) } }),
    writ: {
      kind: record.kind,
      chain_id: record.chainId,
      seq: record.seq,
      prev_hash: record.prevHash,
      ...(record.callId === null ? {} : { call_id: record.callId }),
      ...(record.agent === null ? {} : { agent: record.agent }),
      ...(record.chain === null ? {} : { agents: record.chain.agents, hops: record.chain.hops }),
      ...(record.tool === null ? {} : { tool: record.tool }),
      ...(record.adapter === null ? {} : { adapter: record.adapter }),
      ...(record.decision === null ? {} : { decision: record.decision }),
      ...(record.outcome === null ? {} : { outcome: record.outcome }),
      ...(record.inputHash === null ? {} : { input_hash: record.inputHash }),
      ...(record.outputHash === null ? {} : { output_hash: record.outputHash }),
      ...(record.detail === null ? {} : { detail: record.detail }),
    },
  };
}
