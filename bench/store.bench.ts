/**
 * @writ/store benchmarks (DESIGN §8): ledger append rows/s (single,
 * group-committed, and with the Merkle tree) on SQLite and Postgres, verify
 * rows/s at 1M rows, proof sizes and times at that size, revocation
 * propagation across two processes through Postgres, and the guarded call on
 * in-process SQLite beside its floor (one Ed25519 verify + one durable insert)
 * measured in the same interleaved rounds (sqlite-guard-rows.ts).
 *
 * Run directly (after `pnpm build`): `npx tsx bench/store.bench.ts`.
 * Postgres figures need WRIT_BENCH_POSTGRES_URL or WRIT_TEST_POSTGRES_URL.
 */
import { hash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createAgentIdentity } from "@writ/core";
import { verifyLedgerEvidence } from "@writ/core/backend";
import { postgresBackend, type StoreBackend, sqliteBackend } from "@writ/store";
import {
  type RemoteStore,
  startRemoteGuard,
} from "../packages/store/test/support/remote-guard-process.js";
import { ledgerAppendRows } from "./ledger-append-rows.js";
import { entry } from "./ledger-entry.js";
import { printTable } from "./print-table.js";
import { openRawSqliteReadOnly } from "./raw-sqlite.js";
import type { BenchResult } from "./result.js";
import { sqliteGuardRows } from "./sqlite-guard-rows.js";

// The Postgres clean-up uses the store's own driver, not a dependency of the bench.
const storeRequire = createRequire(fileURLToPath(import.meta.resolve("@writ/store")));
const pg = storeRequire("pg") as {
  Client: new (options: {
    connectionString: string;
  }) => {
    connect(): Promise<unknown>;
    query(text: string): Promise<unknown>;
    end(): Promise<void>;
  };
};

const POSTGRES_URL = process.env.WRIT_BENCH_POSTGRES_URL ?? process.env.WRIT_TEST_POSTGRES_URL;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summarize(samples: number[]): { median: number; p99: number } {
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 50), p99: percentile(samples, 99) };
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** rows/s over `runs` runs: one awaited append at a time, or all at once (group commit). */
async function appendThroughput(
  store: StoreBackend,
  rows: number,
  runs: number,
  concurrent: boolean,
): Promise<number[]> {
  const rates: number[] = [];
  let index = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    if (concurrent) {
      await Promise.all(Array.from({ length: rows }, () => store.append([entry(index++)])));
    } else {
      for (let row = 0; row < rows; row++) await store.append([entry(index++)]);
    }
    rates.push(rows / ((performance.now() - started) / 1000));
  }
  return rates;
}

async function ledgerBenchmarks(
  name: string,
  open: () => Promise<StoreBackend>,
  sizes: {
    single: number;
    batched: number;
    verify: number;
    target: boolean;
    /** The SQLite file, for the verification's floor: one thread reading and hashing the same rows. */
    file?: string;
  },
) {
  const results: BenchResult[] = [];
  const store = await open();
  try {
    const single = summarize(await appendThroughput(store, sizes.single, 3, false));
    results.push({
      group: "store",
      name: `ledger append, one row per commit (${name})`,
      unit: "rows/s",
      median: round(single.median, 0),
      note: "each append awaited before the next: one durable commit per row",
    });
    const batched = summarize(await appendThroughput(store, sizes.batched, 5, true));
    results.push({
      group: "store",
      name: `ledger append, group commit (${name})`,
      unit: "rows/s",
      median: round(batched.median, 0),
      baseline: `ledger append, one row per commit (${name})`,
      note: `${sizes.batched} concurrent appends per run; each resolves only after its commit`,
    });
    // The tree's cost on top: the same appends, then every row placed in the tree and a head signed.
    const withTree: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: sizes.batched }, (_, index) => store.append([entry(index)])),
      );
      await store.signTreeHead();
      withTree.push(sizes.batched / ((performance.now() - started) / 1000));
    }
    const tree = summarize(withTree);
    results.push({
      group: "store",
      name: `ledger append + Merkle tree, group commit (${name})`,
      unit: "rows/s",
      median: round(tree.median, 0),
      baseline: `ledger append, group commit (${name})`,
      ...(sizes.target
        ? { target: "≥ 20,000 rows/s batched on SQLite", met: tree.median >= 20_000 }
        : {}),
      note: `${sizes.batched} concurrent appends, then all of them placed in the tree and a tree head signed`,
    });
    let written = (await store.verifyLedger()).rows;
    while (written < sizes.verify) {
      const count = Math.min(1000, sizes.verify - written);
      await store.append(Array.from({ length: count }, (_, offset) => entry(written + offset)));
      written += count;
    }
    const head = await store.signTreeHead();
    if (!head) throw new Error("no tree head was signed");
    // Interleaved rounds: the floor, then verifyLedger, on the same rows.
    const floors: number[] = [];
    const rates: number[] = [];
    const seconds: number[] = [];
    let verification: Awaited<ReturnType<StoreBackend["verifyLedger"]>> | undefined;
    for (let round = 0; round < 3; round++) {
      if (sizes.file) floors.push(readAndHashFloor(sizes.file));
      const started = performance.now();
      verification = await store.verifyLedger({ against: [head] });
      const elapsed = (performance.now() - started) / 1000;
      if (!verification.ok) throw new Error(`verify failed: ${verification.problem?.message}`);
      rates.push(verification.rows / elapsed);
      seconds.push(elapsed);
    }
    if (!verification) throw new Error("verify did not run");
    const floorName = `floor: read + SHA-256 of every row's raw columns, one thread (${name})`;
    if (floors.length > 0) {
      results.push({
        group: "store",
        name: floorName,
        unit: "rows/s",
        median: round(summarize(floors).median, 0),
        note: "SELECT * in (chain, seq) order, each row's values joined and hashed: no chain, checkpoint or tree",
      });
    }
    const rate = summarize(rates).median;
    results.push({
      group: "store",
      name: `verify ledger: chains, checkpoints and Merkle tree (${name})`,
      unit: "rows/s",
      median: round(rate, 0),
      ...(floors.length > 0 ? { baseline: floorName } : {}),
      target: "≥ 200,000 rows/s (1M rows < 5 s, both cores)",
      met: rate >= 200_000,
      note: `${verification.rows} rows, ${verification.checkpoints} checkpoints, ${verification.tree.treeHeads} tree heads, against one kept outside; median of 3 runs, ${summarize(seconds).median.toFixed(2)} s`,
    });
    results.push(...(await proofBenchmarks(store, name, head)));
  } finally {
    await store.close();
  }
  return results;
}

/** The verification's floor, in rows/s: every ledger row's raw columns read on one thread and hashed, nothing checked. */
function readAndHashFloor(file: string): number {
  const db = openRawSqliteReadOnly(file);
  try {
    const started = performance.now();
    let rows = 0;
    for (const values of db
      .prepare("SELECT * FROM writ_ledger ORDER BY chain_id, seq")
      .raw()
      .iterate()) {
      hash("sha256", values.join("\u001f"), "hex");
      rows++;
    }
    return rows / ((performance.now() - started) / 1000);
  } finally {
    db.close();
  }
}

/** Inclusion evidence for random rows and a consistency proof, at the ledger's full size. */
async function proofBenchmarks(
  store: StoreBackend,
  name: string,
  head: { treeSize: number; rootHash: string },
): Promise<BenchResult[]> {
  const ids: string[] = [];
  for (let index = 0; index < 50; index++) {
    const at = Math.floor((index / 50) * head.treeSize);
    const [record] = (await store.queryLedger({ callId: `bench-${at}`, limit: 1 })).records;
    if (record) ids.push(record.id);
  }
  const proving: number[] = [];
  const checking: number[] = [];
  let hashes = 0;
  let bytes = 0;
  for (const id of ids) {
    const started = performance.now();
    const evidence = await store.ledgerEvidence(id);
    proving.push(performance.now() - started);
    const checked = performance.now();
    if (!verifyLedgerEvidence(evidence).ok) throw new Error("evidence did not verify");
    checking.push((performance.now() - checked) * 1000);
    hashes = Math.max(hashes, evidence.proof.length);
    bytes = Math.max(bytes, JSON.stringify(evidence).length);
  }
  const consistency: number[] = [];
  let consistencyHashes = 0;
  for (let run = 0; run < 10; run++) {
    const started = performance.now();
    const { proof } = await store.consistencyProof(Math.floor(head.treeSize / 3) + run);
    consistency.push(performance.now() - started);
    consistencyHashes = Math.max(consistencyHashes, proof.length);
  }
  const prove = summarize(proving);
  const check = summarize(checking);
  const grow = summarize(consistency);
  const size = `${head.treeSize.toLocaleString("en")} rows`;
  return [
    {
      group: "store",
      name: `inclusion evidence for one row, at ${size} (${name})`,
      unit: "ms",
      median: round(prove.median, 2),
      p99: round(prove.p99, 2),
      note: `${ids.length} rows across the tree; at most ${hashes} hashes, ${(bytes / 1024).toFixed(1)} KiB of JSON evidence (row, tree head, proof)`,
    },
    {
      group: "store",
      name: `verify one row's evidence without the ledger (${name})`,
      unit: "µs",
      median: round(check.median),
      p99: round(check.p99),
      note: "row hash, tree head signature, inclusion proof",
    },
    {
      group: "store",
      name: `consistency proof, a third of the tree to all ${size} (${name})`,
      unit: "ms",
      median: round(grow.median, 2),
      p99: round(grow.p99, 2),
      note: `at most ${consistencyHashes} hashes`,
    },
  ];
}

/** A revoke committed in this process until a guard in another process refuses the writ. */
async function propagationBenchmark(
  name: string,
  store: StoreBackend,
  where: RemoteStore,
  target: { readonly text: string; readonly p99Ms: number },
): Promise<BenchResult[]> {
  const remote = await startRemoteGuard(where);
  const agent = createAgentIdentity("remote-agent");
  await store.putUser({ id: "alice", permissions: "docs.read" });
  await store.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
  const samples: number[] = [];
  let idleMsPerSecond: number;
  try {
    for (let index = 0; index < 100; index++) {
      const writ = await store.issue({ user: "alice", agent: agent.id });
      const { armed, revoked } = remote.watch(writ, agent, "docs.read");
      await armed;
      const started = performance.timeOrigin + performance.now();
      await store.revoke({ kind: "hop", id: writ.root.claims.jti });
      const seen = await revoked;
      if (seen.code !== "revoked.hop") throw new Error(`remote guard decided ${seen.code}`);
      samples.push(seen.seenAt - started);
    }
    // What watching costs the other process while nothing changes.
    const idleFrom = await remote.cpuMicros();
    const idleStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idleMs = ((await remote.cpuMicros()) - idleFrom) / 1000;
    idleMsPerSecond = idleMs / ((performance.now() - idleStarted) / 1000);
  } finally {
    await remote.close();
    await store.close();
  }
  const { median, p99 } = summarize(samples);
  return [
    {
      group: "store",
      name: `revocation propagation across two processes (${name})`,
      unit: "ms",
      median: round(median, 2),
      p99: round(p99, 2),
      target: target.text,
      met: p99 < target.p99Ms,
      note: "revoke() called in this process → a waiting guard in another process refuses the writ, pushed to it (no decision needed); 100 revocations",
    },
    {
      group: "store",
      name: `CPU of the other process while it watches, idle (${name})`,
      unit: "ms",
      median: round(idleMsPerSecond, 2),
      note: `CPU ms per second of wall time over 5 s with no change (${(idleMsPerSecond / 10).toFixed(2)}% of a core)`,
    },
  ];
}

export async function runStoreBenchmarks(): Promise<BenchResult[]> {
  const folder = mkdtempSync(join(tmpdir(), "writ-bench-"));
  const results: BenchResult[] = [];
  try {
    results.push(...(await sqliteGuardRows(folder, "full")));
    results.push(...(await sqliteGuardRows(folder, "normal")));
    results.push(...(await ledgerAppendRows(folder)));
    const shared = join(folder, "shared.db");
    results.push(
      ...(await propagationBenchmark(
        "SQLite commit watcher, no server",
        await sqliteBackend({ path: shared }),
        { path: shared },
        { text: "other process on the same SQLite file p99 < 10 ms", p99Ms: 10 },
      )),
    );
    results.push(
      ...(await ledgerBenchmarks(
        "SQLite, synchronous full",
        () => sqliteBackend({ path: join(folder, "ledger.db") }),
        {
          single: 500,
          batched: 20_000,
          verify: 1_000_000,
          target: true,
          file: join(folder, "ledger.db"),
        },
      )),
    );
    if (POSTGRES_URL) {
      const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
      try {
        results.push(
          ...(await ledgerBenchmarks(
            "Postgres",
            () => postgresBackend({ url: POSTGRES_URL, schema }),
            {
              single: 500,
              batched: 20_000,
              verify: 100_000,
              target: false,
            },
          )),
        );
        results.push(
          ...(await propagationBenchmark(
            "Postgres LISTEN/NOTIFY",
            await postgresBackend({ url: POSTGRES_URL, schema, poolSize: 4 }),
            { url: POSTGRES_URL, schema },
            { text: "p99 < 20 ms", p99Ms: 20 },
          )),
        );
      } finally {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    } else {
      console.warn(
        "WRIT_BENCH_POSTGRES_URL / WRIT_TEST_POSTGRES_URL not set: the Postgres benchmarks did not run.",
      );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(printTable(await runStoreBenchmarks()));
}
