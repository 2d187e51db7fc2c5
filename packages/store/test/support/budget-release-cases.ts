import type { BudgetCharge, LedgerAppend } from "@writ/core/backend";
import { fixedClock, seededRandom } from "@writ/core/testing";
import type { StoreBackend } from "@writ/store";
import { describe, expect, it } from "vitest";

export interface BudgetReleaseOptions {
  /** Opens a fresh, empty store timed by `clock`; the cases close it. */
  open(options: {
    clock: () => number;
    random: (size: number) => Uint8Array;
  }): Promise<StoreBackend>;
}

const NOON = Date.UTC(2026, 0, 3, 12);
const DAY_START = Date.UTC(2026, 0, 3);

function charge(key: string, budget: string, max: number, amount: number): BudgetCharge {
  return { key, scope: "user", subject: "alice", budget, max, windowMs: 86_400_000, amount };
}

const COUNT = (amount: number) =>
  charge("user:alice refunds count per 1d", "count <= 10 per 1d", 10, amount);
const SUM = (amount: number) =>
  charge("user:alice refunds sum(amount) per 1d", "sum(amount) <= 100 per 1d", 100, amount);

function decisionRow(callId: string): LedgerAppend {
  return {
    entry: {
      kind: "decision",
      time: NOON,
      callId,
      user: "alice",
      decision: "allow",
      reason: "granted",
      detail: { hop: 0 },
    },
  };
}

/**
 * A reservation committed with its decision row (reserveAndAppend) is
 * recorded in that row, by the store, and nowhere else: its release gives
 * back what the row says, once, and nobody else can write such a row.
 */
export function budgetReleaseCases(name: string, options: BudgetReleaseOptions): void {
  describe(`budget reservations recorded in their decision rows: ${name}`, () => {
    async function opened() {
      const store = await options.open({
        clock: fixedClock(NOON),
        random: seededRandom("budgets"),
      });
      const reserve = (
        id: string,
        callId: string,
        sum: number,
        decide = () => decisionRow(callId),
      ) => store.reserveAndAppend({ id, callId, charges: [SUM(sum), COUNT(1)] }, decide);
      const used = async () =>
        Object.fromEntries(
          (await store.budgetUsage({ subject: "alice" })).map((usage) => [
            usage.budget,
            usage.used,
          ]),
        );
      return { store, reserve, used };
    }

    it("records in the decision row what the reservation took, and gives it back once", async () => {
      const { store, reserve, used } = await opened();
      try {
        await reserve("r-0", "c-0", 10);
        const { reservation, record } = await reserve("r-1", "c-1", 40);
        expect(reservation).toEqual({ reserved: true });
        expect(record.detail).toEqual({
          hop: 0,
          budgetReservation: "r-1",
          budgetCharges: JSON.stringify([
            ["user:alice refunds count per 1d", DAY_START, 1],
            ["user:alice refunds sum(amount) per 1d", DAY_START, 40],
          ]),
        });
        expect(await used()).toEqual({ "count <= 10 per 1d": 2, "sum(amount) <= 100 per 1d": 50 });

        // A row anyone appends for the call, naming the reservation, neither gives back nor hides it.
        const named = decisionRow("c-1");
        await store.append([{ entry: { ...named.entry, detail: { budgetReservation: "r-1" } } }]);
        await store.releaseBudgets("r-1", "c-0");
        await store.releaseBudgets("r-unknown", "c-1");
        expect(await used()).toEqual({ "count <= 10 per 1d": 2, "sum(amount) <= 100 per 1d": 50 });
        await store.releaseBudgets("r-1", "c-1");
        await store.releaseBudgets("r-1", "c-1");
        expect(await used()).toEqual({ "count <= 10 per 1d": 1, "sum(amount) <= 100 per 1d": 10 });
      } finally {
        await store.close();
      }
    });

    it("records nothing for a refused reservation, and its release gives nothing back", async () => {
      const { store, reserve, used } = await opened();
      try {
        await reserve("r-0", "c-0", 90);
        const { reservation, record } = await reserve("r-1", "c-1", 20);
        expect(reservation).toMatchObject({ reserved: false, remaining: 10 });
        expect(record.detail).toEqual({ hop: 0 });
        await store.releaseBudgets("r-1", "c-1");
        expect(await used()).toEqual({ "count <= 10 per 1d": 1, "sum(amount) <= 100 per 1d": 90 });
      } finally {
        await store.close();
      }
    });

    it("holds nothing of a reservation whose decision row could not be made, however often it is released", async () => {
      const { store, reserve, used } = await opened();
      try {
        await reserve("r-0", "c-0", 10);
        await expect(
          reserve("r-1", "c-1", 40, () => {
            throw new Error("no row for this decision");
          }),
        ).rejects.toThrow();
        await store.releaseBudgets("r-1", "c-1");
        expect(await used()).toEqual({ "count <= 10 per 1d": 1, "sum(amount) <= 100 per 1d": 10 });
      } finally {
        await store.close();
      }
    });

    it("refuses to append a row that records budget charges: only a reservation writes them", async () => {
      const { store, reserve, used } = await opened();
      try {
        await reserve("r-0", "c-0", 60);
        const forged = decisionRow("c-1");
        const detail = {
          budgetReservation: "r-1",
          budgetCharges: JSON.stringify([["user:alice refunds sum(amount) per 1d", DAY_START, 60]]),
        };
        await expect(store.append([{ entry: { ...forged.entry, detail } }])).rejects.toThrow(
          TypeError,
        );
        await store.releaseBudgets("r-1", "c-1");
        expect(await used()).toEqual({ "count <= 10 per 1d": 1, "sum(amount) <= 100 per 1d": 60 });
        expect((await store.queryLedger({ callId: "c-1" })).records).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
