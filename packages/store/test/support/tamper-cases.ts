import type { LedgerRecord } from "@writ/core";
import { ledgerRecordHash } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";
import type { StoreBackend } from "@writ/store";
import { describe, expect, it } from "vitest";

export interface TamperTarget {
  readonly store: StoreBackend;
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
