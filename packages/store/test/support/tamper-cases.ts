import type { LedgerRecord } from "@writ/core";
import { ledgerRecordHash, type SignedTreeHead } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";
import type { StoreBackend, StoreOptions } from "@writ/store";
import { describe, expect, it } from "vitest";

export interface TamperTarget {
  readonly store: StoreBackend;
  /** Opens another writer on the same database (another process, a CLI command). */
  another(options: StoreOptions): Promise<StoreBackend>;
  /** Runs SQL against the ledger tables with the store's protections (triggers, privileges) out of the way: an attacker with the database. */
  tamper(statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface TamperOptions {
  open(options: {
    clock: () => number;
    random: (size: number) => Uint8Array;
    checkpointEvery: number;
  }): Promise<TamperTarget>;
}

/** Every table the ledger's protections cover: what an attacker with the database disables them on. */
export const LEDGER_TABLES = [
  "writ_ledger",
  "writ_ledger_checkpoints",
  "writ_ledger_chains",
  "writ_ledger_tree_segments",
  "writ_ledger_tree_nodes",
  "writ_ledger_tree_heads",
] as const;

const ROWS = 30;

async function filled(
  options: TamperOptions,
): Promise<{ target: TamperTarget; records: LedgerRecord[] }> {
  const clock = fixedClock(Date.UTC(2026, 0, 2));
  const target = await options.open({ clock, random: seededRandom("tamper"), checkpointEvery: 10 });
  const records: LedgerRecord[] = [];
  for (let index = 0; index < ROWS; index++) {
    clock.advance(1);
    const [record] = await target.store.append([
      {
        entry: {
          kind: "decision",
          time: clock(),
          user: "alice",
          agent: "worker",
          chain: { agents: ["planner", "worker"], hops: ["hop-1", "hop-2"] },
          action: "docs.read",
          decision: "allow",
          reason: "granted",
          callId: `c${index}`,
        },
      },
    ]);
    records.push(record as LedgerRecord);
  }
  expect(await target.store.verifyLedger()).toMatchObject({ ok: true, rows: ROWS, checkpoints: 3 });
  return { target, records };
}

const where = (record: LedgerRecord) => `chain_id = '${record.chainId}' AND seq = ${record.seq}`;

/** Ledger tampering, each case on a fresh ledger: verifyLedger must name the first broken row. */
export function tamperCases(name: string, options: TamperOptions): void {
  describe(`ledger tampering is detected: ${name}`, () => {
    const cases: {
      name: string;
      attack: (records: LedgerRecord[]) => string[];
      expected: { problem: string; seq: number };
    }[] = [
      {
        name: "an edited row",
        attack: (records) => [
          `UPDATE writ_ledger SET decision = 'deny' WHERE ${where(records[4] as LedgerRecord)}`,
        ],
        expected: { problem: "hash_mismatch", seq: 5 },
      },
      {
        name: "an edited chain (another agent named in a row's delegation chain)",
        attack: (records) => [
          `UPDATE writ_ledger SET chain_json = replace(chain_json, '"planner"', '"intruder"') WHERE ${where(records[2] as LedgerRecord)}`,
        ],
        expected: { problem: "hash_mismatch", seq: 3 },
      },
      {
        name: "a deleted row",
        attack: (records) => [`DELETE FROM writ_ledger WHERE ${where(records[6] as LedgerRecord)}`],
        expected: { problem: "sequence_gap", seq: 8 },
      },
      {
        name: "reordered rows",
        attack: (records) => {
          const [third, fourth] = [records[2] as LedgerRecord, records[3] as LedgerRecord];
          return [
            `UPDATE writ_ledger SET seq = -1 WHERE ${where(third)}`,
            `UPDATE writ_ledger SET seq = 3 WHERE ${where(fourth)}`,
            `UPDATE writ_ledger SET seq = 4 WHERE chain_id = '${third.chainId}' AND seq = -1`,
          ];
        },
        expected: { problem: "prev_hash_mismatch", seq: 3 },
      },
      {
        name: "rows deleted from the tail after a checkpoint",
        attack: (records) => [
          `DELETE FROM writ_ledger WHERE chain_id = '${records[0]?.chainId}' AND seq >= 25`,
        ],
        expected: { problem: "truncated", seq: 25 },
      },
      {
        name: "a rewritten chain (every hash recomputed after an edit)",
        attack: (records) => {
          let prevHash = (records[3] as LedgerRecord).hash;
          return records.slice(4).map((original, index) => {
            const edited = {
              ...original,
              decision: index === 0 ? ("deny" as const) : original.decision,
              prevHash,
            };
            const hash = ledgerRecordHash(edited);
            prevHash = hash;
            return `UPDATE writ_ledger SET decision = '${edited.decision}', prev_hash = '${edited.prevHash}', hash = '${hash}' WHERE ${where(original)}`;
          });
        },
        expected: { problem: "checkpoint_mismatch", seq: 10 },
      },
      {
        name: "a forged checkpoint",
        attack: (records) => [
          `INSERT INTO writ_ledger_checkpoints (chain_id, seq, hash, time, key_thumbprint, signature) VALUES ('${records[0]?.chainId}', 15, '${records[14]?.hash}', 0, 'x', 'AAAA')`,
        ],
        expected: { problem: "checkpoint_signature", seq: 15 },
      },
    ];
    for (const { name: attackName, attack, expected } of cases) {
      it(`names the first broken row after ${attackName}`, async () => {
        const { target, records } = await filled(options);
        try {
          await target.tamper(attack(records));
          const verification = await target.store.verifyLedger();
          expect(verification.ok).toBe(false);
          expect(verification.problem).toMatchObject({ chainId: records[0]?.chainId, ...expected });
          expect(verification.problem?.message).toContain(`${expected.seq}`);
        } finally {
          await target.close();
        }
      });
    }
  });
}

/** Everything the tree keeps, gone: the sequencer starts over from the rows that are left. */
const WIPE_TREE = [
  "DELETE FROM writ_ledger_tree_segments",
  "DELETE FROM writ_ledger_tree_nodes",
  "DELETE FROM writ_ledger_tree_heads",
  "DELETE FROM writ_ledger_tree_chains",
  "UPDATE writ_ledger_tree_state SET tree_size = 0, peaks_json = '[]'",
];

interface Witnessed {
  readonly target: TamperTarget;
  /** The first writer's 35 rows. */
  readonly rows: LedgerRecord[];
  /** The one row a second writer (a CLI command) wrote: a revocation. */
  readonly revocation: LedgerRecord;
  /** The newest tree head, as a witness outside the store kept it. */
  readonly witnessed: SignedTreeHead;
}

/** Two writers' rows in one tree: 30 rows, another writer's revocation, 5 more rows; every tree head goes to a witness. */
async function witnessed(options: TamperOptions): Promise<Witnessed> {
  const clock = fixedClock(Date.UTC(2026, 0, 3));
  const target = await options.open({ clock, random: seededRandom("tree"), checkpointEvery: 10 });
  const kept: SignedTreeHead[] = [];
  const rows: LedgerRecord[] = [];
  const append = async (count: number) => {
    for (let index = 0; index < count; index++) {
      clock.advance(1);
      const [record] = await target.store.append([
        {
          entry: { kind: "decision", time: clock(), decision: "allow", callId: `t${rows.length}` },
        },
      ]);
      rows.push(record as LedgerRecord);
    }
  };
  await append(30);
  const cli = await target.another({
    clock,
    random: seededRandom("cli"),
    treeHeadWitnesses: [(head) => void kept.push(head)],
  });
  await cli.revoke({ kind: "hop", id: "ghost-hop", by: "ops" });
  await cli.close(); // places every row so far and signs a tree head
  await append(5);
  const head = await target.store.signTreeHead();
  if (head) kept.push(head);
  const [revocation] = (await target.store.queryLedger({ kind: "revocation" })).records;
  const newest = kept.at(-1);
  expect(newest?.treeSize).toBe(36);
  expect(await target.store.verifyLedger({ against: kept })).toMatchObject({
    ok: true,
    tree: { size: 36, treeHeads: 2 },
  });
  return {
    target,
    rows,
    revocation: revocation as LedgerRecord,
    witnessed: newest as SignedTreeHead,
  };
}

/**
 * What the per-writer chains alone cannot show, each case on a fresh ledger
 * of two writers: removals that take their checkpoints and tree heads with
 * them are caught against a tree head a witness kept; without one,
 * verification says plainly that it cannot rule them out.
 */
export function treeTamperCases(name: string, options: TamperOptions): void {
  describe(`the ledger's tree catches what chains alone cannot: ${name}`, () => {
    const chainOf = (record: LedgerRecord) => `chain_id = '${record.chainId}'`;
    const cases: {
      name: string;
      attack: (ledger: Witnessed) => string[];
      /** Reopen a writer after the attack, so Writ itself rebuilds and re-signs the tree over what is left. */
      rebuild?: boolean;
      /** Without a tree head from outside: the problem found, or undefined when only `unverified` can say it. */
      alone: RegExp | undefined;
      /** Against the witness's copy. */
      against: RegExp;
    }[] = [
      {
        name: "a whole one-row chain deleted with its checkpoint and its writer's key",
        attack: ({ revocation }) => [
          `DELETE FROM writ_ledger WHERE ${chainOf(revocation)}`,
          `DELETE FROM writ_ledger_checkpoints WHERE ${chainOf(revocation)}`,
          `DELETE FROM writ_ledger_chains WHERE ${chainOf(revocation)}`,
        ],
        // The tree places that chain's row, and its writer signed the first tree head.
        alone: /^(missing_row|tree_head_signature)$/,
        against: /^(missing_row|tree_head_signature)$/,
      },
      {
        name: "a whole chain deleted and every trace of it in the tree wiped",
        attack: ({ revocation }) => [
          `DELETE FROM writ_ledger WHERE ${chainOf(revocation)}`,
          `DELETE FROM writ_ledger_checkpoints WHERE ${chainOf(revocation)}`,
          `DELETE FROM writ_ledger_chains WHERE ${chainOf(revocation)}`,
          ...WIPE_TREE,
        ],
        alone: undefined,
        against: /^tree_truncated$/,
      },
      {
        name: "a wiped tail (rows, checkpoints and tree heads), the tree rebuilt and re-signed by Writ",
        attack: ({ rows }) => [
          `DELETE FROM writ_ledger WHERE ${chainOf(rows[0] as LedgerRecord)} AND seq > 20`,
          `DELETE FROM writ_ledger_checkpoints WHERE ${chainOf(rows[0] as LedgerRecord)} AND seq > 20`,
          ...WIPE_TREE,
        ],
        rebuild: true,
        alone: undefined,
        against: /^tree_(truncated|mismatch)$/,
      },
      {
        name: "rows of two writers reordered in the tree",
        attack: ({ revocation, rows }) => [
          `UPDATE writ_ledger_tree_segments SET tree_start = -1 WHERE ${chainOf(revocation)}`,
          `UPDATE writ_ledger_tree_segments SET tree_start = 30 WHERE ${chainOf(rows[0] as LedgerRecord)} AND first_seq = 31`,
          `UPDATE writ_ledger_tree_segments SET tree_start = 35 WHERE tree_start = -1`,
        ],
        alone: /^tree_mismatch$/,
        against: /^tree_mismatch$/,
      },
      {
        name: "an edited row, its chain recomputed after it and its checkpoints deleted",
        attack: ({ rows }) => {
          let prevHash = (rows[3] as LedgerRecord).hash;
          const rewrite = rows.slice(4).map((original, index) => {
            const edited = {
              ...original,
              decision: index === 0 ? ("deny" as const) : original.decision,
              prevHash,
            };
            const hash = ledgerRecordHash(edited);
            prevHash = hash;
            return `UPDATE writ_ledger SET decision = '${edited.decision}', prev_hash = '${edited.prevHash}', hash = '${hash}' WHERE ${chainOf(original)} AND seq = ${original.seq}`;
          });
          return [
            `DELETE FROM writ_ledger_checkpoints WHERE ${chainOf(rows[0] as LedgerRecord)}`,
            ...rewrite,
          ];
        },
        alone: /^tree_mismatch$/,
        against: /^tree_mismatch$/,
      },
      {
        name: "every row deleted, with every checkpoint, key and tree head",
        attack: () => [
          "DELETE FROM writ_ledger",
          "DELETE FROM writ_ledger_checkpoints",
          "DELETE FROM writ_ledger_chains",
          ...WIPE_TREE,
        ],
        alone: undefined,
        against: /^tree_(truncated|head_signature)$/,
      },
    ];
    for (const { name: attackName, attack, rebuild, alone, against } of cases) {
      it(`after ${attackName}`, async () => {
        const ledger = await witnessed(options);
        const { target, witnessed: head } = ledger;
        try {
          await target.tamper(attack(ledger));
          if (rebuild) {
            const writer = await target.another({});
            await writer.signTreeHead();
            await writer.close();
          }
          const unaided = await target.store.verifyLedger();
          if (alone === undefined) {
            expect(unaided.ok).toBe(true);
            expect(unaided.unverified.join(" ")).toContain(
              "No tree head kept outside the store was given",
            );
          } else {
            expect(unaided.ok).toBe(false);
            expect(unaided.problem?.problem).toMatch(alone);
          }
          const checked = await target.store.verifyLedger({ against: [head] });
          expect(checked.ok).toBe(false);
          expect(checked.problem?.problem).toMatch(against);
        } finally {
          await target.close();
        }
      });
    }
  });
}
