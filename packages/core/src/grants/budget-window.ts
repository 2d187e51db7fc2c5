const UNIT_SECONDS = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;

const WINDOW = /^([1-9]\d{0,6})([smhdw])$/;

/** The longest window a budget may have: a year of days. */
export const MAX_BUDGET_WINDOW_SECONDS = 366 * 86_400;

/** A budget window (`30s`, `15m`, `1h`, `1d`, `1w`) in seconds; undefined when it is not one or is longer than 366 days. */
export function budgetWindowSeconds(per: unknown): number | undefined {
  if (typeof per !== "string") return undefined;
  const match = WINDOW.exec(per);
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as Unit];
  return seconds <= MAX_BUDGET_WINDOW_SECONDS ? seconds : undefined;
}

/** A window in its shortest spelling: the largest unit that divides it (`24h` → `1d`), so equal windows read alike. */
export function formatBudgetWindow(seconds: number): string {
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
