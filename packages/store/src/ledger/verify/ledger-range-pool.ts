import { Worker } from "node:worker_threads";
import { WritError } from "@writ/core";
import type { LedgerRange, LedgerRangeCheck } from "./ledger-range-check.js";
import type { LedgerRangeWorkerData } from "./ledger-range-worker.js";

/**
 * The worker's built module. `../../../` is the package root both from
 * src/ledger/verify (tests, tsx) and from dist/ledger/verify (users), so a
 * worker always runs compiled JavaScript, which plain Node can load.
 */
const WORKER = new URL("../../../dist/ledger/verify/ledger-range-worker.js", import.meta.url);

/**
 * Checks `ranges` on `workers` worker threads, each reading the SQLite file
 * itself, and hands each check to `accept` in range order (workers finish
 * out of order). `accept` returns false to stop early. A worker that fails,
 * exits or cannot open the file rejects with `ledger.unavailable`: the
 * ledger was not verified, and nothing is reported intact.
 */
export function checkLedgerRanges(
  setup: LedgerRangeWorkerData,
  ranges: readonly LedgerRange[],
  workers: number,
  accept: (check: LedgerRangeCheck) => boolean,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const pool: Worker[] = [];
    const retired = new Set<Worker>();
    const done = new Map<number, LedgerRangeCheck>();
    let sent = 0;
    let accepted = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const worker of pool) void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    const fail = (reason: string, cause?: unknown) =>
      finish(
        new WritError(
          "ledger.unavailable",
          `Verification stopped: a worker thread checking the ledger ${reason}, so the ledger was not verified. Run the verification again.`,
          {},
          cause,
        ),
      );
    const next = (worker: Worker) => {
      const range = ranges[sent++];
      if (!range) retired.add(worker);
      worker.postMessage(range ?? null);
    };
    if (ranges.length === 0) return resolve();
    for (let index = 0; index < Math.min(workers, ranges.length); index++) {
      const worker = new Worker(WORKER, {
        workerData: setup,
        // Its own conditions: the parent's (a source condition under a test runner) would lead to TypeScript sources.
        execArgv: [],
      });
      pool.push(worker);
      worker.on("message", (check: LedgerRangeCheck) => {
        done.set(check.index, check);
        next(worker);
        try {
          for (let ready = done.get(accepted); ready; ready = done.get(accepted)) {
            done.delete(accepted);
            accepted++;
            if (!accept(ready)) return finish();
          }
        } catch (error) {
          return finish(error as Error);
        }
        if (accepted === ranges.length) finish();
      });
      // Fail closed: a worker that breaks leaves its ranges unchecked.
      worker.on("error", (error) => fail("failed", error));
      worker.on("messageerror", (error) => fail("sent an unreadable answer", error));
      worker.on("exit", (code) => {
        if (!retired.has(worker)) fail(`exited (code ${code}) before its ranges were checked`);
      });
      next(worker);
    }
  });
}
