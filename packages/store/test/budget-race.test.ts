import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { sqliteBackend } from "@writ/store";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allLedgerRows } from "../../../test/support/ledger-rows.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/budget-spender.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface Spent {
  readonly codes: readonly string[];
  readonly reservations: readonly string[];
}

/** Starts a spender; resolves `ready` once it is set up, and `spent` after `go()`. */
function spender(db: string, agent: string, calls: number, amount: number) {
  const child = spawn(process.execPath, ["--conditions=@writ/source", "--import", "tsx", SCRIPT], {
    cwd: ROOT,
    env: {
      ...process.env,
      WRIT_DB: db,
      WRIT_AGENT: agent,
      WRIT_CALLS: String(calls),
      WRIT_AMOUNT: String(amount),
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`The spender ${agent} exited early: ${stderr}`);
    return JSON.parse(line.value) as { ready?: boolean } & Partial<Spent>;
  };
  const ready = next();
  return {
    ready,
    go: async (): Promise<Spent> => {
      child.stdin.end("go\n");
      const spent = (await next()) as Spent;
      await exited;
      return spent;
    },
  };
}

describe("budgets across processes on one SQLite file", () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "writ-budget-race-"));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("never lets 64 concurrent calls from two processes take one budget over, and records every reservation", async () => {
    const db = join(folder, "writ.db");
    const store = await sqliteBackend({ path: db });
    await store.putUser({
      id: "alice",
      permissions: "refunds.approve(amount < 100) within sum(amount) <= 500 per 1d",
    });
    await store.issuerKeys(); // created once, before two processes could race to create it
    await store.close();

    const spenders = [spender(db, "spender-a", 32, 30), spender(db, "spender-b", 32, 30)];
    await Promise.all(spenders.map((one) => one.ready));
    const results = await Promise.all(spenders.map((one) => one.go()));

    const codes = results.flatMap((result) => result.codes);
    const reservations = results.flatMap((result) => result.reservations);
    expect(codes).toHaveLength(64);
    // 16 calls of 30 fit in 500, and nothing else is refused.
    expect(codes.filter((code) => code === "granted")).toHaveLength(16);
    expect(
      codes.filter((code) => code !== "granted").every((code) => code === "budget.exceeded"),
    ).toBe(true);
    // Both processes made all their calls, at once.
    expect(results.every((result) => result.codes.length === 32)).toBe(true);

    const reopened = await sqliteBackend({ path: db });
    try {
      expect(await reopened.budgetUsage({ subject: "alice" })).toMatchObject([
        { scope: "user", budget: "sum(amount) <= 500 per 1d", used: 480, max: 500 },
      ]);
      const decisions = (await allLedgerRows(reopened)).filter(
        (row) => row.kind === "decision" && row.decision === "allow",
      );
      expect(new Set(decisions.map((row) => row.detail?.budgetReservation))).toEqual(
        new Set(reservations),
      );
      // Each decision row records what its reservation took, and those add up to the counter.
      const taken = decisions.flatMap(
        (row) => JSON.parse(String(row.detail?.budgetCharges)) as [string, number, number][],
      );
      expect(taken).toHaveLength(reservations.length);
      expect(taken.reduce((sum, [, , amount]) => sum + amount, 0)).toBe(480);
    } finally {
      await reopened.close();
    }
    const raw = new Database(db, { readonly: true });
    try {
      // A reservation committed with its decision row writes no hold row, and nothing was released.
      for (const table of ["writ_budget_reservations", "writ_budget_releases"]) {
        expect(raw.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
      }
    } finally {
      raw.close();
    }
    // Two Node processes start on a loaded machine: a limit on hanging, not a time budget.
  }, 120_000);
});
