import { copyFileSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SignedTreeHead } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";
import { sqliteBackend } from "@writ/store";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RANGE_LEAVES } from "../src/ledger/verify/check-tree-in-parallel.js";

// Large enough that the tree is checked a range at a time on worker threads.
const BATCH = 500;
const ROWS = BATCH * Math.ceil((2 * RANGE_LEAVES + 3000) / BATCH);

const folder = mkdtempSync(join(tmpdir(), "writ-parallel-verify-"));
const template = join(folder, "template.db");
let chains: [string, string];
let kept: SignedTreeHead;
let copies = 0;

/** Two writers' chains interleaved in batches, checkpoints every 1,000 rows, tree heads at an odd size and at the end. */
beforeAll(async () => {
  const clock = fixedClock(Date.UTC(2026, 0, 2));
  const options = { path: template, clock, checkpointEvery: 1000 };
  const first = await sqliteBackend({ ...options, random: seededRandom("first") });
  const second = await sqliteBackend({ ...options, random: seededRandom("second") });
  for (let written = 0; written < ROWS; written += BATCH) {
    const writer = (written / BATCH) % 2 === 0 ? first : second;
    clock.advance(1);
    await writer.append(
      Array.from({ length: BATCH }, (_, offset) => ({
        entry: {
          kind: "decision" as const,
          time: clock(),
          user: "alice",
          action: "docs.read",
          decision: "allow" as const,
          reason: "granted",
          callId: `c${written + offset}`,
          detail: { batch: written / BATCH },
        },
      })),
    );
    if (written === 20 * BATCH) await first.signTreeHead();
  }
  kept = (await first.signTreeHead()) as SignedTreeHead;
  const [a, b] = (await first.ledgerChains()).map((chain) => chain.chainId).sort();
  chains = [a as string, b as string];
  await second.close();
  await first.close();
}, 120_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A copy of the ledger, tampered with by SQL run with its triggers dropped: an attacker with the file. */
function copy(statements: readonly string[] = []): string {
  const path = join(folder, `copy-${copies++}.db`);
  copyFileSync(template, path);
  const db = new Database(path);
  for (const { name } of db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    .all() as { name: string }[]) {
    db.exec(`DROP TRIGGER ${name}`);
  }
  for (const statement of statements) db.exec(statement);
  db.close();
  return path;
}

function segment(order: "ASC" | "DESC"): {
  chain_id: string;
  first_seq: number;
  tree_start: number;
} {
  const db = new Database(template, { readonly: true });
  const row = db
    .prepare(
      `SELECT chain_id, first_seq, tree_start FROM writ_ledger_tree_segments ORDER BY tree_start ${order} LIMIT 1`,
    )
    .get() as { chain_id: string; first_seq: number; tree_start: number };
  db.close();
  return row;
}

/** The chain whose rows come first in the tree (the first writer's). */
const firstChain = () => segment("ASC").chain_id;

describe("verifying a large ledger on worker threads", () => {
  it("checks every row, checkpoint and tree head a range at a time, and reports what it verified", async () => {
    const store = await sqliteBackend({ path: copy() });
    try {
      const heard: number[] = [];
      const verification = await store.verifyLedger({
        against: [kept],
        onProgress: ({ rows }) => heard.push(rows),
      });
      expect(verification).toMatchObject({
        ok: true,
        rows: ROWS,
        chains: 2,
        tree: { size: ROWS, uncovered: 0 },
      });
      expect(verification.checkpoints).toBeGreaterThanOrEqual(ROWS / 1000 - 2);
      // The one at 10,000 rows and the one kept outside, at least (writers sign more on a timer and as they close).
      expect(verification.tree.treeHeads).toBeGreaterThanOrEqual(2);
      // The ranges, in order: whole ones of RANGE_LEAVES leaves, then the rest.
      expect(heard.slice(0, 3)).toEqual([RANGE_LEAVES, 2 * RANGE_LEAVES, ROWS]);
      expect(chains).toContain(firstChain());
    } finally {
      await store.close();
    }
  });

  const chain = () => firstChain();
  // Rows of the first chain deep in the second range (batches alternate writers, so seq ≈ leaf / 2).
  const seq = Math.floor((RANGE_LEAVES + 2000) / 2);
  const cases: {
    name: string;
    attack: () => string[];
    expected: () => Record<string, unknown>;
  }[] = [
    {
      name: "an edited row",
      attack: () => [
        `UPDATE writ_ledger SET decision = 'deny' WHERE chain_id = '${chain()}' AND seq = ${seq}`,
      ],
      expected: () => ({ problem: "hash_mismatch", chainId: chain(), seq }),
    },
    {
      name: "an edited detail that is no longer JSON",
      attack: () => [
        `UPDATE writ_ledger SET detail_json = '{' WHERE chain_id = '${chain()}' AND seq = ${seq}`,
      ],
      expected: () => ({ problem: "hash_mismatch", chainId: chain(), seq }),
    },
    {
      name: "a deleted row",
      attack: () => [`DELETE FROM writ_ledger WHERE chain_id = '${chain()}' AND seq = ${seq}`],
      expected: () => ({ problem: "sequence_gap", chainId: chain(), seq: seq + 1 }),
    },
    {
      name: "two rows swapped",
      attack: () => [
        `UPDATE writ_ledger SET seq = -1 WHERE chain_id = '${chain()}' AND seq = ${seq}`,
        `UPDATE writ_ledger SET seq = ${seq} WHERE chain_id = '${chain()}' AND seq = ${seq + 1}`,
        `UPDATE writ_ledger SET seq = ${seq + 1} WHERE chain_id = '${chain()}' AND seq = -1`,
      ],
      expected: () => ({ problem: "prev_hash_mismatch", chainId: chain(), seq }),
    },
    {
      name: "a forged checkpoint",
      attack: () => [
        `INSERT INTO writ_ledger_checkpoints (chain_id, seq, hash, time, key_thumbprint, signature) SELECT chain_id, seq, hash, 0, 'x', 'AAAA' FROM writ_ledger WHERE chain_id = '${chain()}' AND seq = ${seq}`,
      ],
      expected: () => ({ problem: "checkpoint_signature", chainId: chain(), seq }),
    },
    {
      name: "the tree's rows reordered in its map",
      attack: () => [
        `UPDATE writ_ledger_tree_segments SET first_seq = first_seq + 1 WHERE tree_start = (SELECT MAX(tree_start) FROM writ_ledger_tree_segments WHERE tree_start < ${RANGE_LEAVES + 2000})`,
      ],
      expected: () => ({ problem: "tree_segments" }),
    },
    {
      name: "the newest rows, their map and the store's tree heads deleted",
      attack: () => {
        const last = segment("DESC");
        const rows = `chain_id = '${last.chain_id}' AND seq >= ${last.first_seq}`;
        return [
          `DELETE FROM writ_ledger_tree_heads WHERE tree_size > ${last.tree_start}`,
          `DELETE FROM writ_ledger_tree_segments WHERE tree_start >= ${last.tree_start}`,
          `DELETE FROM writ_ledger_checkpoints WHERE ${rows}`,
          `DELETE FROM writ_ledger WHERE ${rows}`,
        ];
      },
      expected: () => ({ problem: "tree_truncated", treeSize: ROWS }),
    },
  ];
  for (const { name, attack, expected } of cases) {
    it(`names the first problem after ${name}, as row by row`, async () => {
      const store = await sqliteBackend({ path: copy(attack()) });
      try {
        const verification = await store.verifyLedger({ against: [kept] });
        expect(verification.ok).toBe(false);
        expect(verification.problem).toMatchObject(expected());
      } finally {
        await store.close();
      }
    });
  }

  it("fails closed with ledger.unavailable when a worker cannot read the file, never reporting it intact", async () => {
    const path = copy();
    const store = await sqliteBackend({ path });
    try {
      // The store's own connection still reads the unlinked file; a worker opening it by name cannot.
      unlinkSync(path);
      await expect(store.verifyLedger({ against: [kept] })).rejects.toMatchObject({
        code: "ledger.unavailable",
        message: expect.stringContaining("the ledger was not verified"),
      });
    } finally {
      await store.close();
    }
  });
});
