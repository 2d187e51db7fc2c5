import type { StoredLedgerRow } from "@writ/core/backend";

/** A stored row, refilled in place for each row read: verification builds no object per row. */
export type StoredRowScratch = { -readonly [K in keyof StoredLedgerRow]: StoredLedgerRow[K] };

export function storedRowScratch(): StoredRowScratch {
  return {
    chainId: "",
    seq: 0,
    id: "",
    time: 0,
    tenant: null,
    kind: "admin",
    callId: null,
    user: null,
    agent: null,
    chainJson: null,
    action: null,
    tool: null,
    adapter: null,
    decision: null,
    reason: null,
    outcome: null,
    error: null,
    durationMs: null,
    inputHash: null,
    outputHash: null,
    detailJson: null,
    prevHash: "",
    hash: "",
  };
}

/** Refills the scratch row from one row's values, in LEDGER_COLUMNS order. */
export function fillStoredRow(row: StoredRowScratch, values: readonly unknown[]): void {
  row.chainId = String(values[0]);
  row.seq = Number(values[1]);
  row.id = String(values[2]);
  row.time = Number(values[3]);
  row.tenant = values[4] as string | null;
  row.kind = values[5] as StoredRowScratch["kind"];
  row.callId = values[6] as string | null;
  row.user = values[7] as string | null;
  row.agent = values[8] as string | null;
  row.chainJson = values[9] as string | null;
  row.action = values[10] as string | null;
  row.tool = values[11] as string | null;
  row.adapter = values[12] as string | null;
  row.decision = values[13] as StoredRowScratch["decision"];
  row.reason = values[14] as string | null;
  row.outcome = values[15] as StoredRowScratch["outcome"];
  row.error = values[16] as string | null;
  row.durationMs = values[17] === null ? null : Number(values[17]);
  row.inputHash = values[18] as string | null;
  row.outputHash = values[19] as string | null;
  row.detailJson = values[20] as string | null;
  row.prevHash = String(values[21]);
  row.hash = String(values[22]);
}
