import type { DecisionEffect, LedgerDetail, LedgerEventKind, LedgerRecord } from "@writ/core";
import { storedChainJson } from "@writ/core/backend";
import { integer, optionalJson, optionalReal, optionalText, text } from "../sql/row-values.js";
import type { SqlRow, SqlValue } from "../sql/sql-driver.js";

/** The ledger's columns, in the order rowOf() produces values. */
export const LEDGER_COLUMNS = [
  "chain_id",
  "seq",
  "id",
  "time",
  "tenant_id",
  "kind",
  "call_id",
  "user_id",
  "agent_id",
  "chain_json",
  "action",
  "tool",
  "adapter",
  "decision",
  "reason",
  "outcome",
  "error",
  "duration_ms",
  "input_hash",
  "output_hash",
  "detail_json",
  "prev_hash",
  "hash",
] as const;

export const LEDGER_SELECT = LEDGER_COLUMNS.join(", ");

/** A sealed record as column values. JSON members are stored as JSON text, so they read back exactly as hashed (the chain as the very text its seal hashed). */
export function rowOf(record: LedgerRecord): SqlValue[] {
  return [
    record.chainId,
    record.seq,
    record.id,
    record.time,
    record.tenant,
    record.kind,
    record.callId,
    record.user,
    record.agent,
    record.chain === null ? null : storedChainJson(record.chain),
    record.action,
    record.tool,
    record.adapter,
    record.decision,
    record.reason,
    record.outcome,
    record.error,
    record.durationMs,
    record.inputHash,
    record.outputHash,
    record.detail === null ? null : JSON.stringify(record.detail),
    record.prevHash,
    record.hash,
  ];
}

/** A stored row as the record it was sealed from (verification recomputes its hash). */
export function recordOf(row: SqlRow): LedgerRecord {
  return {
    chainId: text(row, "chain_id"),
    seq: integer(row, "seq"),
    id: text(row, "id"),
    time: integer(row, "time"),
    tenant: optionalText(row, "tenant_id"),
    kind: text(row, "kind") as LedgerEventKind,
    callId: optionalText(row, "call_id"),
    user: optionalText(row, "user_id"),
    agent: optionalText(row, "agent_id"),
    chain: optionalJson(row, "chain_json") as LedgerRecord["chain"],
    action: optionalText(row, "action"),
    tool: optionalText(row, "tool"),
    adapter: optionalText(row, "adapter"),
    decision: optionalText(row, "decision") as DecisionEffect | null,
    reason: optionalText(row, "reason"),
    outcome: optionalText(row, "outcome") as LedgerRecord["outcome"],
    error: optionalText(row, "error"),
    durationMs: optionalReal(row, "duration_ms"),
    inputHash: optionalText(row, "input_hash"),
    outputHash: optionalText(row, "output_hash"),
    detail: optionalJson(row, "detail_json") as LedgerDetail | null,
    prevHash: text(row, "prev_hash"),
    hash: text(row, "hash"),
  };
}
