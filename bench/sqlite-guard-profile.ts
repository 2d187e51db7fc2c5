/**
 * What one guarded call on SQLite writes and spends (issues 20 and 22):
 * guard.run on the store bench's shape (3-hop writ, ten conditional grants
 * per hop, fresh arguments and proof): the CPU a call costs (all threads,
 * so less sensitive than time to what else the machine runs) and the WAL
 * pages each call's commits write, and which of the file's B-trees they
 * belong to. Run it under `node --cpu-prof` for the profile.
 *
 *   pnpm build && node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx \
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
import { openRawSqliteReadOnly } from "./raw-sqlite.js";
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
// Each frame is a 24-byte header (the page's number first) and the page, after the log's 32-byte header.
const wal = openSync(`${path}-wal`, "r");
const pageSize = (() => {
  const logHeader = Buffer.alloc(32);
  readSync(wal, logHeader, 0, 32, 0);
  return logHeader.readUInt32BE(8);
})();
const frameHeader = Buffer.alloc(24);
const pageOf = (frame: number) => {
  readSync(wal, frameHeader, 0, 24, 32 + frame * (24 + pageSize));
  return frameHeader.readUInt32BE(0);
};
const perCall: number[] = [];
const pagesWritten: number[] = [];
let callsSeen = 0;
for (let sample = 0; sample < 30; sample++) {
  const batch = Array.from({ length: 20 }, freshCall);
  const before = frames();
  for (const call of batch) await guard.run(call, () => "ok");
  const after = frames();
  if (after < before) continue;
  perCall.push((after - before) / batch.length);
  callsSeen += batch.length;
  for (let frame = before; frame < after; frame++) pagesWritten.push(pageOf(frame));
}
closeSync(wal);
closeSync(shm);
perCall.sort((a, b) => a - b);
console.log(
  `WAL pages per guarded call, back to back (each outcome row rides the next decision's commit): median ${perCall[perCall.length >> 1]?.toFixed(2)} over ${perCall.length} runs of 20`,
);
// Which B-tree each page written belongs to (SQLite's dbstat, as the file is now; page 1 holds the file's header).
const reader = openRawSqliteReadOnly(path);
const owners = new Map(
  reader
    .prepare("SELECT pageno, name, pagetype FROM dbstat")
    .all()
    .map((row) => [row.pageno as number, `${row.name} (${row.pagetype})`]),
);
reader.close();
const byTree = new Map<string, number>();
for (const page of pagesWritten) {
  const owner = page === 1 ? "page 1: the file's header" : (owners.get(page) ?? "freed since");
  byTree.set(owner, (byTree.get(owner) ?? 0) + 1);
}
console.log(
  `by B-tree, pages a call:\n${[...byTree]
    .sort((a, b) => b[1] - a[1])
    .map(([owner, count]) => `  ${(count / callsSeen).toFixed(2)}  ${owner}`)
    .join("\n")}`,
);
if (budget && !(await store.budgetUsage({ subject: "alice" })).some((usage) => usage.used > calls))
  throw new Error("the calls did not reserve the budget");
await guard.close();
await store.close();
rmSync(folder, { recursive: true, force: true });
