/**
 * The `writ` command's start-up, as a person runs it: the built CLI's
 * `--version` and `users list` on a small project, beside Node starting and
 * exiting (`node -e 0`, the floor), in interleaved rounds so all three see the
 * same load. Runs the build (dist/): `pnpm install` or `pnpm build` makes it.
 *
 * Run directly: `node --import tsx bench/cli.bench.ts`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { printTable } from "./print-table.js";
import type { BenchResult } from "./result.js";

const BIN = fileURLToPath(new URL("../packages/cli/bin/writ.js", import.meta.url));
const FLOOR = "node -e 0 (floor: Node's own start and exit)";

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

export async function runCliBenchmarks(rounds = 30): Promise<BenchResult[]> {
  const cwd = mkdtempSync(join(tmpdir(), "writ-bench-cli-"));
  const writ = (...args: string[]) =>
    execFileSync(process.execPath, [BIN, ...args], { cwd, stdio: "pipe" });
  const commands: Record<string, readonly string[]> = {
    [FLOOR]: ["-e", "0"],
    "writ --version": [BIN, "--version"],
    "writ users list (SQLite project, 3 users)": [BIN, "users", "list"],
  };
  try {
    writ("init");
    writ("roles", "put", "support", "--grants", "refunds.approve(amount < 100); docs.read");
    for (const user of ["alice", "bob", "carol"]) writ("users", "put", user, "--role", "support");
    const samples = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
    for (let round = 0; round < rounds + 2; round++) {
      for (const [name, args] of Object.entries(commands)) {
        const started = performance.now();
        execFileSync(process.execPath, args, { cwd, stdio: "ignore" });
        // The first two rounds warm the disk cache and Node's compile cache.
        if (round >= 2) samples.get(name)?.push(performance.now() - started);
      }
    }
    return Object.keys(commands).map((name) => {
      const sorted = (samples.get(name) ?? []).sort((a, b) => a - b);
      const median = percentile(sorted, 0.5);
      return {
        group: "cli",
        name,
        unit: "ms",
        median: Number(median.toFixed(1)),
        p99: Number(percentile(sorted, 0.99).toFixed(1)),
        ...(name === FLOOR
          ? {}
          : { baseline: FLOOR, target: "starts in under 300 ms", met: median < 300 }),
        note: `${rounds} runs, wall clock from spawn to exit (${process.version})`,
      };
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(printTable(await runCliBenchmarks()));
}
