/**
 * Budgets (DESIGN §8): what reserving a call's budgets adds to guard.run on
 * in-process SQLite. The floor is the same guarded run (3-hop writ,
 * conditions on every hop, durable decision row, fresh arguments and proof)
 * whose grants carry no budget; the subject's hop 1 carries a daily sum
 * budget and the user's permission a count budget, so every call reserves
 * two counters, in its decision row's commit. Floor and subject run in
 * interleaved rounds on one store, so the machine's drift touches both alike.
 *
 *   pnpm bench budgets
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Call, createAgentIdentity, createGuard, type Guard, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { interleaved } from "./interleaved.js";
import { printTable } from "./print-table.js";
import type { BenchResult } from "./result.js";

const ROUNDS = 20;
const CALLS_PER_ROUND = 100;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
const p99 = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.99)] ?? Number.NaN;

/** guard.run on fresh calls from `session`, each call prepared (proof signed) before the timer starts. */
function guardedRuns(guard: Guard, session: Session) {
  let calls: Call[] = [];
  let serial = 0;
  return {
    prepare: (count: number) => {
      calls = Array.from({ length: count }, () =>
        guard.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { amount: 1 + (serial++ % 40), currency: "USD" },
        }),
      );
    },
    operation: async (index: number) => {
      const { decision } = await guard.run(calls[index] as Call, () => "ok");
      if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
    },
  };
}

async function budgetRun(folder: string, synchronous: "full" | "normal"): Promise<BenchResult[]> {
  const store = await sqliteBackend({
    path: join(folder, `budgets-${synchronous}.db`),
    synchronous,
  });
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  const reviewer = createAgentIdentity("reviewer");
  // Two users alike but for the budget on bob's permission.
  await store.putUser({
    id: "alice",
    permissions: "refunds.approve(amount < 10000, currency in [USD, EUR])",
  });
  await store.putUser({
    id: "bob",
    permissions:
      "refunds.approve(amount < 10000, currency in [USD, EUR]) within count <= 1000000000 per 1d",
  });
  await store.putAgent({ id: "planner", policy: "refunds.*", keys: [planner] });
  await store.putAgent({ id: "worker", policy: "refunds.approve", keys: [worker] });
  await store.putAgent({ id: "reviewer", policy: "refunds.approve", keys: [reviewer] });
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: "urn:writ:bench",
    replayCacheSize: 100_000,
  });
  const chain = async (user: string, budget: string) =>
    new Session(planner, await store.issue({ user, agent: "planner" }))
      .delegate(worker, {
        grants: `refunds.approve(amount < 5000, currency in [USD, EUR])${budget}`,
      })
      .delegate(reviewer, { grants: "refunds.approve(amount < 1000, currency in [USD])" });
  const plain = await chain("alice", "");
  const budgeted = await chain("bob", " within sum(amount) <= 1000000000 per 1d");

  // The warm-up rounds of interleaved() verify and record the hops and prepare the statements.
  const samples = await interleaved(
    { floor: guardedRuns(guard, plain), subject: guardedRuns(guard, budgeted) },
    CALLS_PER_ROUND,
    ROUNDS,
  );
  const floor = samples.floor as number[];
  const subject = samples.subject as number[];
  const usage = await store.budgetUsage({ subject: "bob" });
  await guard.close();
  await store.close();
  if (usage.length !== 1 || usage[0]?.used !== (ROUNDS + 1) * CALLS_PER_ROUND)
    throw new Error("the budgeted calls were not all reserved");

  const floorName = `guard.run without budgets, in-process SQLite, 3-hop writ (synchronous ${synchronous})`;
  const added = median(subject) - median(floor);
  return [
    {
      group: "budgets",
      name: floorName,
      unit: "µs",
      median: round(median(floor)),
      p99: round(p99(floor)),
    },
    {
      group: "budgets",
      name: `guard.run reserving 2 budgets, in-process SQLite, 3-hop writ (synchronous ${synchronous})`,
      unit: "µs",
      median: round(median(subject)),
      p99: round(p99(subject)),
      baseline: floorName,
      target: "reservation adds ≤ 50 µs p50",
      met: added <= 50,
      note: `adds ${round(added)} µs p50: a hop budget and a permission budget held in the decision row's commit; ${ROUNDS} interleaved rounds of ${CALLS_PER_ROUND}, fresh calls`,
    },
  ];
}

export async function runBudgetBenchmarks(): Promise<BenchResult[]> {
  const folder = mkdtempSync(join(tmpdir(), "writ-bench-budgets-"));
  try {
    return [...(await budgetRun(folder, "full")), ...(await budgetRun(folder, "normal"))];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(printTable(await runBudgetBenchmarks()));
}
