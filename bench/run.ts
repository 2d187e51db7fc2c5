/**
 * `pnpm bench`: runs every benchmark group in one process and prints one table,
 * each figure beside its floor or peer as a ratio, and writes the results to
 * bench/results/latest.json so a change can be compared with the last run.
 *
 *   pnpm bench              # every group
 *   pnpm bench core store   # only these groups
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printTable } from "./print-table.js";
import type { BenchResult } from "./result.js";

const GROUPS: Record<string, () => Promise<BenchResult[]>> = {
  core: async () => (await import("./core.bench.js")).runCoreBenchmarks(),
  peers: async () => (await import("./peers.bench.js")).runPeerBenchmarks(),
  store: async () => (await import("./store.bench.js")).runStoreBenchmarks(),
  budgets: async () => (await import("./budget.bench.js")).runBudgetBenchmarks(),
  "hot-path": async () => (await import("./hot-path.bench.js")).runHotPathBenchmarks(),
  sqlite: async () => (await import("./sqlite-driver.bench.js")).runSqliteDriverBenchmarks(),
  cli: async () => (await import("./cli.bench.js")).runCliBenchmarks(),
  mcp: async () => (await import("./mcp.bench.js")).runMcpBenchmarks(),
  server: async () => (await import("./server.bench.js")).runServerBenchmarks(),
  telemetry: async () => (await import("./telemetry.bench.js")).runTelemetryBenchmarks(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark group(s): ${unknown.join(", ")}. Known: ${Object.keys(GROUPS).join(", ")}.`,
  );
  process.exit(2);
}

const results: BenchResult[] = [];
for (const [name, run] of Object.entries(GROUPS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`running ${name} benchmarks…\n`);
  results.push(...(await run()));
}

// Groups may each measure the shared floor; the table keeps its first measurement.
const unique = results.filter(
  (result, index) => results.findIndex((other) => other.name === result.name) === index,
);
console.log(printTable(unique));

const directory = fileURLToPath(new URL("./results/", import.meta.url));
const latest = `${directory}latest.json`;
mkdirSync(directory, { recursive: true });
let previous: BenchResult[] = [];
try {
  previous = (JSON.parse(readFileSync(latest, "utf8")) as { results: BenchResult[] }).results;
} catch {
  // first run: nothing to compare with
}
const changes = unique
  .map((result) => ({ result, before: previous.find((old) => old.name === result.name) }))
  .filter(({ before }) => before !== undefined)
  .map(
    ({ result, before }) =>
      `${result.name}: ${(((result.median - (before as BenchResult).median) / (before as BenchResult).median) * 100).toFixed(1)}%`,
  );
if (changes.length > 0)
  console.log(`\nchange since the last run (median):\n  ${changes.join("\n  ")}`);
writeFileSync(
  latest,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results: unique }, null, 2)}\n`,
);
console.log(`\nresults written to ${latest}`);
