/**
 * The ledger append beside raw SQL on the same schema (issue 22), measured
 * in the same interleaved rounds at synchronous FULL: 5,000 concurrent
 * one-row appends to a store (each resolving after its durable group
 * commit) against 5,000 rows of the same shape inserted by plain prepared
 * statements, 1,000 rows per transaction, into a store file of its own.
 * Both sides' rows are built before the timer starts.
 */
import { join } from "node:path";
import { sqliteBackend } from "@writ/store";
import { interleaved } from "./interleaved.js";
import { entry } from "./ledger-entry.js";
import { openRawSqlite } from "./raw-sqlite.js";
import type { BenchResult } from "./result.js";

const ROWS = 5_000;
const PER_TRANSACTION = 1_000;
const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;

export async function ledgerAppendRows(folder: string): Promise<BenchResult[]> {
  const path = join(folder, "append.db");
  const store = await sqliteBackend({ path });
  const floorPath = join(folder, "append-floor.db");
  await (await sqliteBackend({ path: floorPath })).close();
  let serial = 0;
  // The caller's entries (its input hashed, as a guard hashes a call's) are built before the
  // timer starts, as the floor's rows are: the subject times the ledger's work, not the caller's.
  const entries = () => Array.from({ length: ROWS }, () => [entry(serial++)]);
  let prepared = entries();
  const appendAll = () => Promise.all(prepared.map((appends) => store.append(appends)));
  await appendAll();
  // The floor inserts rows the store wrote, under its own chain ids: the same shapes and sizes.
  const reader = openRawSqlite(path, "full");
  const template = reader.prepare("SELECT * FROM writ_ledger ORDER BY seq LIMIT ?").all(ROWS);
  reader.close();
  const db = openRawSqlite(floorPath, "full");
  const columns = Object.keys(template[0] ?? {});
  const insert = db.prepare(
    `INSERT INTO writ_ledger (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  let chain = 0;
  const samples = await interleaved(
    {
      floor: {
        operation: () => {
          const chainId = `floor-${chain++}`;
          for (let offset = 0; offset < ROWS; offset += PER_TRANSACTION) {
            db.exec("BEGIN IMMEDIATE");
            for (let index = offset; index < offset + PER_TRANSACTION; index++) {
              const row = template[index] as Record<string, unknown>;
              insert.run(
                ...columns.map((column) =>
                  column === "chain_id"
                    ? chainId
                    : column === "id"
                      ? `${chainId}-${index}`
                      : row[column],
                ),
              );
            }
            db.exec("COMMIT");
          }
        },
      },
      subject: {
        prepare: () => {
          prepared = entries();
        },
        operation: appendAll,
      },
    },
    1,
    5,
  );
  await store.close();
  db.close();
  const rate = (micros: number[]) => Math.round(ROWS / (median(micros) / 1e6));
  const floorName = `ledger floor: raw SQL on the ledger's schema, ${PER_TRANSACTION.toLocaleString("en-US")} rows per transaction (SQLite, synchronous full)`;
  const floor = rate(samples.floor as number[]);
  const subject = rate(samples.subject as number[]);
  return [
    {
      group: "store",
      name: floorName,
      unit: "rows/s",
      median: floor,
      note: "prepared inserts of rows the store wrote, its indexes and triggers; 5 interleaved rounds",
    },
    {
      group: "store",
      name: `ledger append, ${ROWS.toLocaleString("en-US")} concurrent one-row appends (SQLite, synchronous full)`,
      unit: "rows/s",
      median: subject,
      baseline: floorName,
      target: "≥ 0.8× raw SQL on the same schema",
      met: subject >= 0.8 * floor,
      note: "each append resolves after its durable group commit; rows sealed into the hash chain",
    },
  ];
}
