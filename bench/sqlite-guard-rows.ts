/**
 * The guarded call on in-process SQLite (issue 22, DESIGN §8), each figure
 * beside its floor measured in the same interleaved rounds: one node:crypto
 * Ed25519 verify and one durable insert into a plain SQLite file at the same
 * synchronous level, in the same folder. The subjects are guard.authorize
 * and guard.run (decision row durable before the tool runs, outcome row
 * group-committed) on a 3-hop writ of ten conditional grants per hop on the
 * called action, with fresh arguments and a fresh proof per call (signed
 * before the timer starts), and the same calls 32 in flight.
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { join } from "node:path";
import { createGuard, type Guard, issueWrit } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { chain } from "./core.bench.js";
import { AUDIENCE, tenConditionalGrants } from "./hot-path-shapes.js";
import { interleaved } from "./interleaved.js";
import { openRawSqlite } from "./raw-sqlite.js";
import type { BenchResult } from "./result.js";

const GROUP = "store";
const IN_FLIGHT = 32;
const sorted = (samples: number[]) => [...samples].sort((a, b) => a - b);
const median = (samples: number[]) => sorted(samples)[Math.floor(samples.length / 2)] ?? Number.NaN;
const p99 = (samples: number[]) => sorted(samples)[Math.floor(samples.length * 0.99)] ?? Number.NaN;
const round = (value: number) => Number(value.toPrecision(4));

/** A store, a guard on it and fresh calls on issue 22's shape: 3 hops, ten conditional grants per hop. */
export async function sqliteGuardWorld(path: string, synchronous: "full" | "normal") {
  const store = await sqliteBackend({ path, synchronous });
  const { issuer, session, agents, grants } = chain(3, tenConditionalGrants());
  await store.putUser({ id: "alice", permissions: grants });
  for (const agent of agents) await store.putAgent({ id: agent.id, policy: grants, keys: [agent] });
  const guard = await createGuard({ backend: store, issuer, audience: AUDIENCE });
  let serial = 0;
  const freshCall = () => {
    serial++;
    return guard.callFrom(session, {
      action: "refunds.approve",
      tool: "approve_refund",
      args: { amount: 1 + (serial % 4000), currency: "USD", note: `ok: customer ${serial}` },
    });
  };
  const root = agents[0] as (typeof agents)[number];
  const issueRoot = () =>
    issueWrit({
      issuer,
      user: { id: "alice", permissions: grants },
      agent: { ...root, policy: grants },
      ttl: 3600,
    });
  return { store, guard, freshCall, issueRoot };
}

async function allowedRun(guard: Guard, call: ReturnType<Guard["callFrom"]>): Promise<void> {
  const { decision } = await guard.run(call, () => "ok");
  if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
}

/** Floor and subjects at one synchronous level, interleaved round by round. */
export async function sqliteGuardRows(
  folder: string,
  synchronous: "full" | "normal",
): Promise<BenchResult[]> {
  const world = await sqliteGuardWorld(join(folder, `guard-${synchronous}.db`), synchronous);
  const { store, guard, freshCall } = world;
  const db = openRawSqlite(join(folder, `floor-${synchronous}.db`), synchronous);
  db.exec("CREATE TABLE floor (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO floor (body) VALUES (?)");
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const message = Buffer.alloc(300, 7);
  const signature = sign(null, message, privateKey);
  let authorizeCalls: ReturnType<typeof freshCall>[] = [];
  let runCalls: ReturnType<typeof freshCall>[] = [];
  let concurrentCalls: ReturnType<typeof freshCall>[] = [];
  const concurrentBatch = 320;
  const samples = await interleaved(
    {
      floor: {
        operation: (index) => {
          if (!verify(null, message, publicKey, signature)) throw new Error("floor verify failed");
          insert.run(`call ${index}`);
        },
      },
      authorize: {
        prepare: (count) => {
          authorizeCalls = Array.from({ length: count }, freshCall);
        },
        operation: async (index) => {
          const decision = await guard.authorize(authorizeCalls[index] as never);
          if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
          await guard.complete(decision, { ok: true, output: "ok" });
        },
      },
      run: {
        prepare: (count) => {
          runCalls = Array.from({ length: count }, freshCall);
        },
        operation: (index) => allowedRun(guard, runCalls[index] as never),
      },
      concurrent: {
        perRound: 1,
        batch: 1,
        prepare: () => {
          concurrentCalls = Array.from({ length: concurrentBatch }, freshCall);
        },
        // One sample: 320 calls, 32 in flight; per-call µs is the sample over the batch.
        operation: async () => {
          let next = 0;
          const lane = async () => {
            while (next < concurrentCalls.length)
              await allowedRun(guard, concurrentCalls[next++] as never);
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
        },
      },
    },
    50,
  );
  const perCall = (samples.concurrent as number[]).map((micros) => micros / concurrentBatch);
  const revocations = await revocationSamples(world);
  await guard.close();
  await store.close();
  db.close();

  const level = `synchronous ${synchronous}`;
  const floorName = `store floor: one Ed25519 verify + one durable SQLite insert (${level})`;
  const sequentialName = `store floor: sequential verify + durable insert per second (${level})`;
  const floor = samples.floor as number[];
  const ratio = (subject: number[]) => median(subject) / median(floor);
  const callsPerSecond = 1e6 / median(perCall);
  const row = (name: string, values: number[], extra: Partial<BenchResult> = {}): BenchResult => ({
    group: GROUP,
    name,
    unit: "µs",
    median: round(median(values)),
    p99: round(p99(values)),
    ...extra,
  });
  return [
    row(floorName, floor, { note: "raw better-sqlite3, WAL, same folder, one row per commit" }),
    row(
      `guard.authorize, in-process SQLite, 3-hop writ, 10 grants/hop (${level})`,
      samples.authorize as number[],
      {
        baseline: floorName,
        note: "fresh proof and arguments; durable decision row; complete() untimed",
      },
    ),
    row(
      `guard.run, in-process SQLite, 3-hop writ, 10 grants/hop (${level})`,
      samples.run as number[],
      {
        baseline: floorName,
        target: "≤ 1.5× (Ed25519 verify + one durable insert)",
        met: ratio(samples.run as number[]) <= 1.5,
        note: "decision row durable before the tool runs; outcome row group-committed",
      },
    ),
    {
      group: GROUP,
      name: sequentialName,
      unit: "ops/s",
      median: Math.round(1e6 / median(floor)),
      note: "1 / the floor's median",
    },
    {
      group: GROUP,
      name: `guarded calls per second, one process, SQLite, ${IN_FLIGHT} in flight (${level})`,
      unit: "ops/s",
      median: Math.round(callsPerSecond),
      baseline: sequentialName,
      ...(synchronous === "full"
        ? {
            target: "≥ 5,000 guarded calls/s and above the sequential floor",
            met: callsPerSecond >= 5000 && callsPerSecond > 1e6 / median(floor),
          }
        : {}),
      note: `guard.run, ${concurrentBatch} calls a sample, ${IN_FLIGHT} in flight; proofs signed beforehand`,
    },
    {
      group: GROUP,
      name: `revocation to enforcement, in-process SQLite (${level})`,
      unit: "ms",
      median: round(median(revocations.enforced)),
      p99: round(p99(revocations.enforced)),
      target: "in-process p99 < 1 ms",
      met: p99(revocations.enforced) < 1,
      note: "revoke() called → the guard refuses a writ it accepted just before, looked at every event-loop turn; 100 revocations",
    },
    {
      group: GROUP,
      name: `revocation until revoke() resolves, in-process SQLite (${level})`,
      unit: "ms",
      median: round(median(revocations.resolved)),
      p99: round(p99(revocations.resolved)),
      note: "the same revocations: revoke() resolves once the revocation is durable",
    },
  ];
}

/**
 * In-process revocation: from calling revoke() until the guard refuses a writ
 * it accepted just before (looked at on every turn of the event loop, where
 * the calls a process serves are decided), and until revoke() resolves, which
 * at `full` waits for the revocation to be on disk as well.
 */
async function revocationSamples(
  world: Awaited<ReturnType<typeof sqliteGuardWorld>>,
): Promise<{ enforced: number[]; resolved: number[] }> {
  const enforced: number[] = [];
  const resolved: number[] = [];
  for (let index = 0; index < 100; index++) {
    const writ = world.issueRoot();
    const token = writ.toString();
    const usable = () => world.guard.canUse(token, "refunds.approve");
    if (!usable()) throw new Error("the guard refused the writ before its revocation");
    const started = performance.now();
    let done = false;
    const revoked = world.store.revoke({ kind: "hop", id: writ.root.claims.jti }).then(() => {
      done = true;
    });
    while (usable()) {
      if (done) throw new Error("the guard did not enforce the revocation");
      await new Promise(setImmediate);
    }
    enforced.push(performance.now() - started);
    await revoked;
    resolved.push(performance.now() - started);
  }
  return { enforced, resolved };
}
