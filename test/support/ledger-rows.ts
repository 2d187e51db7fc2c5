import type { LedgerRecord } from "@writ/core";
import type { StoreAdmin } from "@writ/store";

/** Every ledger row of a store, oldest first, page by page. */
export async function allLedgerRows(store: StoreAdmin): Promise<LedgerRecord[]> {
  const rows: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryLedger({ limit: 1000, ...(cursor ? { cursor } : {}) });
    rows.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}
