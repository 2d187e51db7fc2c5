/**
 * What one guarded call on SQLite writes and spends (issues 20 and 22):
 * guard.run on the store bench's shape (3-hop writ, ten conditional grants
 * per hop, fresh arguments and proof): the CPU a call costs (all threads,
 * so less sensitive than time to what else the machine runs) and the WAL
 * pages each call's commits write. Run it under `node --cpu-prof` for the profile.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=@writ/source --import tsx \
 *     bench/sqlite-guard-profile.ts full|normal [calls] [budget]
 *
 * `budget`: the user's permission carries a count budget, so every call
 * also reserves it (issue 20).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatGrant } from "@writ/core";
import { tenConditionalGrants } from "./hot-path-shapes.js";
import { sqliteGuardWorld } from "./sqlite-guard-rows.js";

const synchronous = process.argv[2] === "normal" ? "normal" : "full";
const calls = Number(process.argv[3] ?? 5_000);
const budget = process.argv[4] === "budget";
const folder = mkdtempSync(join(tmpdir(), "writ-guard-profile-"));
const path = join(folder, "guard.db");
const { store, guard, freshCall } = await sqliteGuardWorld(path, synchronous);
if (budget) {
  const permits = tenConditionalGrants().map(formatGrant);
  permits[permits.length - 1] += " within count <= 1000000000 per 1d";
  await store.setUserPermissions("alice", permits.join("; "));
}
const run = async (count: number) => {
  const prepared = Array.from({ length: count }, freshCall);
  for (const call of prepared) {
    const { decision } = await guard.run(call, () => "ok");
    if (decision.effect !== "allow") throw new Error(`unexpected ${decision.code}`);
  }
};
await run(Math.min(calls, 500)); // warm: statements prepared, hops recorded
const cpu = process.cpuUsage();
const started = performance.now();
await run(calls);
const used = process.cpuUsage(cpu);
console.log(
  `CPU per guarded call: ${((used.user + used.system) / calls).toFixed(1)} µs (all threads); wall ${(((performance.now() - started) * 1000) / calls).toFixed(1)} µs`,
);
// Pages per call: the WAL index's header holds the log's frame count (mxFrame, bytes 16–19),
// which only grows until the log starts over after a checkpoint; a run that saw that is skipped.
const shm = openSync(`${path}-shm`, "r");
const header = Buffer.alloc(4);
const frames = () => {
  readSync(shm, header, 0, 4, 16);
  return header.readUInt32LE(0);
};
const perCall: number[] = [];
for (let sample = 0; sample < 30; sample++) {
  const batch = Array.from({ length: 20 }, freshCall);
  const before = frames();
  for (const call of batch) await guard.run(call, () => "ok");
  const after = frames();
  if (after >= before) perCall.push((after - before) / batch.length);
}
closeSync(shm);
perCall.sort((a, b) => a - b);
console.log(
  `WAL pages per guarded call, back to back (each outcome row rides the next decision's commit): median ${perCall[perCall.length >> 1]?.toFixed(2)} over ${perCall.length} runs of 20`,
);
if (budget && !(await store.budgetUsage({ subject: "alice" })).some((usage) => usage.used > calls))
  throw new Error("the calls did not reserve the budget");
await guard.close();
await store.close();
rmSync(folder, { recursive: true, force: true });
