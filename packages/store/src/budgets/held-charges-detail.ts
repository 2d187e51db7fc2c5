import type { LedgerAppend, LedgerDetail } from "@writ/core/backend";
import type { HeldCharge } from "./budget-store.js";

/**
 * The decision row's detail field that records what its reservation took:
 * JSON `[[budget key, window start, amount], …]`. Release gives back what it
 * says, so only the store writes it, in the commit that takes the charges:
 * append() refuses a row that carries it (a remote guard cannot record
 * charges it never took and give them back).
 */
const HELD_CHARGES = "budgetCharges";

/** The decision row `append`, recording reservation `id` and what it took. */
export function withHeldCharges(
  append: LedgerAppend,
  id: string,
  held: readonly HeldCharge[],
): LedgerAppend {
  if (held.length === 0) return append;
  const charges = held.map(({ key, windowStart, amount }) => [key, windowStart, amount]);
  return {
    ...append,
    entry: {
      ...append.entry,
      detail: {
        ...append.entry.detail,
        budgetReservation: id,
        [HELD_CHARGES]: JSON.stringify(charges),
      },
    },
  };
}

/** What a decision row's reservation took; none when the row records no well-formed charges. */
export function heldChargesOf(detail: LedgerDetail): HeldCharge[] {
  const recorded = detail[HELD_CHARGES];
  if (typeof recorded !== "string") return [];
  const charges: unknown = JSON.parse(recorded);
  if (!Array.isArray(charges)) return [];
  const held: HeldCharge[] = [];
  for (const charge of charges) {
    if (!Array.isArray(charge)) return [];
    const [key, windowStart, amount] = charge as unknown[];
    if (typeof key !== "string" || typeof windowStart !== "number" || typeof amount !== "number")
      return [];
    held.push({ key, windowStart, amount });
  }
  return held;
}

/** Refuses rows that carry HELD_CHARGES: the store writes that field only with the charges it took. */
export function assertNoHeldCharges(appends: readonly LedgerAppend[]): void {
  if (appends.some((append) => append.entry.detail?.[HELD_CHARGES] !== undefined)) {
    throw new TypeError(
      `A ledger row's detail.${HELD_CHARGES} is written by the store when it reserves a call's budgets; remove it from the appended rows.`,
    );
  }
}
