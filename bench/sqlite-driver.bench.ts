/**
 * The SQLite driver choice (issue 18): better-sqlite3 beside Node's built-in
 * node:sqlite, on the shapes @writ/store runs, in interleaved rounds (each
 * round runs every case on both drivers, in alternating order, on fresh
 * files), so both see the same disk and load. Each node:sqlite figure is
 * shown as a ratio to better-sqlite3's.
 *
 * Run directly on each Node version:
 *   node --no-warnings --import tsx bench/sqlite-driver.bench.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath, pathToFileURL } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { printTable } from "./print-table.js";
import type { BenchResult } from "./result.js";

type Value = string | number | null;

/** What the store asks of a driver: both libraries have exactly this shape. */
interface Connection {
  exec(sql: string): void;
  prepare(sql: string): {
    run(...values: Value[]): unknown;
    get(...values: Value[]): unknown;
    all(...values: Value[]): unknown[];
  };
  close(): void;
}

const DRIVERS: Record<string, (path: string) => Connection> = {
  "better-sqlite3": (path) => {
    const db = new BetterSqlite3(path);
    return {
      exec: (sql) => void db.exec(sql),
      prepare: (sql) => db.prepare<Value[]>(sql),
      close: () => void db.close(),
    };
  },
  "node:sqlite": (path) => new DatabaseSync(path),
};
const BASELINE = "better-sqlite3";

const MIGRATIONS = fileURLToPath(new URL("../packages/store/migrations/sqlite/", import.meta.url));

/** The store's own SQLite schema, from its migrations. */
function storeSchema(): string[] {
  return readdirSync(MIGRATIONS)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .flatMap((file) =>
      readFileSync(join(MIGRATIONS, file), "utf8").split("--> statement-breakpoint"),
    )
    .map((statement) => statement.trim())
    .filter((statement) => statement.replace(/--[^\n]*/g, "").trim().length > 0);
}

function open(
  driver: string,
  folder: string,
  name: string,
  synchronous: "FULL" | "NORMAL",
): Connection {
  const db = (DRIVERS[driver] as (path: string) => Connection)(join(folder, `${name}.db`));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`);
  return db;
}

const hex = (index: number) => index.toString(16).padStart(64, "0");

/** One decision row as the ledger writer binds it (23 columns, JSON members as text). */
function ledgerRow(seq: number, prevHash: string): Value[] {
  return [
    "bench-chain",
    seq,
    `0190f0c4-0000-7000-8000-${seq.toString(16).padStart(12, "0")}`,
    1_767_225_600_000 + seq,
    null,
    "decision",
    `call-${seq}`,
    "alice",
    "worker",
    '{"agents":["planner","worker"],"hops":["hop-a","hop-b"]}',
    "refunds.approve",
    "approve_refund",
    "bench",
    "allow",
    "granted",
    null,
    null,
    0.12,
    hex(seq),
    null,
    null,
    prevHash,
    hex(seq + 1),
  ];
}

interface Case {
  readonly name: string;
  readonly unit: BenchResult["unit"];
  readonly note: string;
  /** Prepares a fresh database and returns the timed work's throughput (per second) or latency (µs). */
  run(driver: string, folder: string): number;
}

/** Inserts `rows` rows in transactions of `perCommit`, each a prepared statement; rows/s. */
function insertCase(synchronous: "FULL" | "NORMAL", perCommit: number, rows: number): Case {
  return {
    name: `insert, ${perCommit} row${perCommit === 1 ? "" : "s"} per transaction (synchronous ${synchronous.toLowerCase()})`,
    unit: "rows/s",
    note: `${rows} prepared inserts of a 200-byte row, BEGIN IMMEDIATE … COMMIT`,
    run(driver, folder) {
      const db = open(driver, folder, `insert-${synchronous}-${perCommit}`, synchronous);
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, body TEXT NOT NULL)");
      const insert = db.prepare("INSERT INTO t (key, body) VALUES (?, ?)");
      const body = "x".repeat(200);
      const started = performance.now();
      for (let index = 0; index < rows; ) {
        db.exec("BEGIN IMMEDIATE");
        for (let row = 0; row < perCommit; row++, index++) insert.run(`key-${index}`, body);
        db.exec("COMMIT");
      }
      const seconds = (performance.now() - started) / 1000;
      db.close();
      return rows / seconds;
    },
  };
}

/** A 10,000-row ledger of the store's schema, and a prepared statement reading it. */
function filledLedger(driver: string, folder: string, read: string) {
  const db = open(driver, folder, "read", "NORMAL");
  for (const statement of storeSchema()) db.exec(statement);
  const insert = db.prepare(`INSERT INTO writ_ledger VALUES (${Array(23).fill("?").join(", ")})`);
  db.exec("BEGIN");
  for (let seq = 1; seq <= 10_000; seq++) insert.run(...ledgerRow(seq, hex(seq)));
  db.exec("COMMIT");
  return { db, statement: db.prepare(read) };
}

/** Reads single rows by primary key; µs per read. */
const pointRead: Case = {
  name: "point read by primary key (ledger row, 23 columns)",
  unit: "µs",
  note: "SELECT * … WHERE chain_id = ? AND seq = ?, 20,000 reads, prepared once",
  run(driver, folder) {
    const { db, statement } = filledLedger(
      driver,
      folder,
      "SELECT * FROM writ_ledger WHERE chain_id = ? AND seq = ?",
    );
    for (let index = 0; index < 2000; index++) statement.get("bench-chain", 1 + index);
    const reads = 20_000;
    const started = performance.now();
    for (let index = 0; index < reads; index++) {
      if (statement.get("bench-chain", 1 + ((index * 7919) % 10_000)) === undefined)
        throw new Error("a point read found nothing");
    }
    const micros = ((performance.now() - started) * 1000) / reads;
    db.close();
    return micros;
  },
};

/** Reads the ledger in pages of 1,000 rows, as verifyLedger() does; rows/s. */
const pageRead: Case = {
  name: "page read, 1,000 ledger rows per query (verifyLedger's shape)",
  unit: "rows/s",
  note: "SELECT * … WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT 1000, 10 passes over 10,000 rows",
  run(driver, folder) {
    const { db, statement } = filledLedger(
      driver,
      folder,
      "SELECT * FROM writ_ledger WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT 1000",
    );
    let rows = 0;
    const started = performance.now();
    for (let pass = 0; pass < 10; pass++) {
      for (let after = 0; after < 10_000; after += 1000) {
        rows += statement.all("bench-chain", after).length;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    db.close();
    return rows / seconds;
  },
};

/**
 * What LedgerWriter does per commit, on the store's schema and indexes: BEGIN
 * IMMEDIATE, read the chain head, insert the batch's rows, COMMIT; rows/s.
 */
function ledgerAppendCase(synchronous: "FULL" | "NORMAL", perCommit: number, rows: number): Case {
  return {
    name: `ledger append, ${perCommit} row${perCommit === 1 ? "" : "s"} per commit (synchronous ${synchronous.toLowerCase()})`,
    unit: "rows/s",
    note: `${rows} rows: head read + 23-column inserts into writ_ledger (store schema, 5 indexes)`,
    run(driver, folder) {
      const db = open(driver, folder, `ledger-${synchronous}-${perCommit}`, synchronous);
      for (const statement of storeSchema()) db.exec(statement);
      const head = db.prepare(
        "SELECT seq, hash FROM writ_ledger WHERE chain_id = ? ORDER BY seq DESC LIMIT 1",
      );
      const insert = db.prepare(
        `INSERT INTO writ_ledger VALUES (${Array(23).fill("?").join(", ")})`,
      );
      const started = performance.now();
      for (let written = 0; written < rows; ) {
        db.exec("BEGIN IMMEDIATE");
        const last = head.get("bench-chain") as { seq: number; hash: string } | undefined;
        let seq = last?.seq ?? 0;
        let prev = last?.hash ?? hex(0);
        for (let row = 0; row < perCommit; row++, written++) {
          seq += 1;
          insert.run(...ledgerRow(seq, prev));
          prev = hex(seq + 1);
        }
        db.exec("COMMIT");
      }
      const seconds = (performance.now() - started) / 1000;
      db.close();
      return rows / seconds;
    },
  };
}

const CASES: readonly Case[] = [
  insertCase("FULL", 100, 20_000),
  insertCase("NORMAL", 100, 50_000),
  insertCase("FULL", 1, 500),
  pointRead,
  pageRead,
  ledgerAppendCase("FULL", 1, 500),
  ledgerAppendCase("FULL", 64, 20_000),
  ledgerAppendCase("NORMAL", 64, 50_000),
];

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function runSqliteDriverBenchmarks(rounds = 5): Promise<BenchResult[]> {
  const drivers = Object.keys(DRIVERS);
  const samples = new Map<string, number[]>();
  const folder = mkdtempSync(join(tmpdir(), "writ-sqlite-drivers-"));
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate which driver goes first, so neither always meets a warmer disk.
      const order = round % 2 === 0 ? drivers : [...drivers].reverse();
      for (const benchCase of CASES) {
        for (const driver of order) {
          const key = `${benchCase.name}|${driver}`;
          const roundFolder = mkdtempSync(join(folder, `${round}-`));
          samples.set(key, [...(samples.get(key) ?? []), benchCase.run(driver, roundFolder)]);
          rmSync(roundFolder, { recursive: true, force: true });
        }
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return CASES.flatMap((benchCase) =>
    drivers.map((driver) => {
      const value = median(samples.get(`${benchCase.name}|${driver}`) ?? []);
      return {
        group: "sqlite",
        name: `${driver}: ${benchCase.name}`,
        unit: benchCase.unit,
        median: benchCase.unit === "µs" ? Number(value.toFixed(2)) : Math.round(value),
        ...(driver === BASELINE ? {} : { baseline: `${BASELINE}: ${benchCase.name}` }),
        note: `${benchCase.note}; median of ${rounds} interleaved rounds (${process.version})`,
      };
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(printTable(await runSqliteDriverBenchmarks()));
}
