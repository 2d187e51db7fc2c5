/**
 * A worker thread of parallel ledger verification: opens the SQLite file for
 * reading and checks each range it is sent (checkLedgerRange), answering
 * with the range's check. It is started from the built package (dist), so
 * it runs the same way under a test runner, tsx or plain Node.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { LEDGER_SELECT } from "../ledger-rows.js";
import { checkLedgerRange, type LedgerRange } from "./ledger-range-check.js";

/** What every worker is started with. */
export interface LedgerRangeWorkerData {
  readonly file: string;
  readonly ledgerTable: string;
  /** "chainId seq" of each row whose hash the main thread needs: the signed checkpoints'. */
  readonly wanted: readonly string[];
}

const { file, ledgerTable, wanted } = workerData as LedgerRangeWorkerData;
const port = parentPort;
if (!port) throw new TypeError("ledger-range-worker runs as a worker thread.");
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma("busy_timeout = 1000");
const rows = db
  .prepare<[string, number, number], unknown[]>(
    `SELECT ${LEDGER_SELECT} FROM ${ledgerTable} WHERE chain_id = ? AND seq >= ? AND seq < ? ORDER BY seq`,
  )
  .raw(true);
const wantedRows = new Set(wanted);

port.on("message", (range: LedgerRange | null) => {
  if (range === null) {
    db.close();
    port.close();
    return;
  }
  port.postMessage(
    checkLedgerRange(
      range,
      (segment) =>
        rows.iterate(segment.chainId, segment.firstSeq, segment.firstSeq + segment.rowCount),
      wantedRows,
    ),
  );
});
