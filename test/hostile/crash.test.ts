/**
 * Crash: a process making guarded calls under load is killed with SIGKILL.
 * Reopened, the ledger verifies, no outcome exists without its decision, and
 * no tool ran without a durable allow decision. On SQLite and on Postgres.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { postgresBackend, type StoreBackend, sqliteBackend } from "@writ/store";
import { afterAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  requirePostgresUrl,
} from "../../packages/store/test/support/postgres-server.js";
import { allLedgerRows } from "../support/ledger-rows.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LOAD = fileURLToPath(new URL("./fixtures/crash-load.ts", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "writ-crash-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Starts the load, lets it run `runMs` after it is ready, then kills it with SIGKILL. */
async function crashUnderLoad(store: string, toolLog: string, runMs: number): Promise<void> {
  const child = spawn(process.execPath, ["--conditions=@writ/source", "--import", "tsx", LOAD], {
    cwd: ROOT,
    env: { ...process.env, WRIT_CRASH_STORE: store, WRIT_CRASH_TOOL_LOG: toolLog },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => line === "ready" && resolve());
    child.once("exit", () =>
      reject(new Error(`the load process exited before it was ready:\n${stderr}`)),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, runMs));
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
}

async function checkAfterCrash(store: StoreBackend, toolLog: string): Promise<void> {
  const verification = await store.verifyLedger();
  expect(verification, JSON.stringify(verification)).toMatchObject({ ok: true });
  const rows = await allLedgerRows(store);
  const allowed = new Set(
    rows
      .filter((row) => row.kind === "decision" && row.decision === "allow")
      .map((row) => row.callId),
  );
  const decided = new Set(rows.filter((row) => row.kind === "decision").map((row) => row.callId));
  const outcomes = rows.filter((row) => row.kind === "outcome");
  const ran = readFileSync(toolLog, "utf8").split("\n").filter(Boolean);
  expect(ran.length).toBeGreaterThan(50);
  for (const outcome of outcomes)
    expect(decided, `outcome without decision: ${outcome.callId}`).toContain(outcome.callId);
  for (const callId of ran)
    expect(allowed, `tool ran without a durable allow decision: ${callId}`).toContain(callId);
  console.log(
    `crash: ${decided.size} decisions, ${outcomes.length} outcomes, ${ran.length} tool runs survived SIGKILL; ledger verifies`,
  );
}

describe("crash under load (SIGKILL)", () => {
  it("on SQLite: the ledger verifies and every tool that ran has its durable decision", async () => {
    const path = join(directory, "crash.db");
    const toolLog = join(directory, "sqlite-tools.log");
    await crashUnderLoad(`sqlite:${path}`, toolLog, 700);
    const store = await sqliteBackend({ path });
    try {
      await checkAfterCrash(store, toolLog);
    } finally {
      await store.close();
    }
  }, 60_000);

  const serverUrl = requirePostgresUrl();
  it.runIf(serverUrl !== undefined)(
    "on Postgres: the same",
    async () => {
      const database = await createTestDatabase(serverUrl as string, "crash");
      const toolLog = join(directory, "postgres-tools.log");
      try {
        await crashUnderLoad(`postgres:${database.url}`, toolLog, 700);
        const store = await postgresBackend({ url: database.url });
        try {
          await checkAfterCrash(store, toolLog);
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
      }
    },
    60_000,
  );
});
