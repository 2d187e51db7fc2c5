/** A JSON scalar a condition can compare with. */
export type Scalar = string | number | boolean;

/** The operators of the condition language (DESIGN §3), in printing order. */
export const OPERATORS = [
  "eq",
  "neq",
  "lt",
  "lte",
  "gt",
  "gte",
  "in",
  "nin",
  "prefix",
  "inSet",
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Constraints on one argument path; several operators are ANDed. */
export interface Constraint {
  readonly eq?: Scalar;
  readonly neq?: Scalar;
  readonly lt?: number;
  readonly lte?: number;
  readonly gt?: number;
  readonly gte?: number;
  readonly in?: readonly Scalar[];
  readonly nin?: readonly Scalar[];
  readonly prefix?: string;
  /** Name of a set resolved live at call time by the application's resolver. */
  readonly inSet?: string;
}

/** Dotted argument paths to their constraints; all paths are ANDed. */
export type Condition = Readonly<Record<string, Constraint>>;

/** What a budget adds up per call: 1 for each call, or the number at an argument path. */
export type BudgetMeasure = "count" | "sum";

/**
 * A limit on how much a grant is used within a window (DESIGN §7b):
 * `count <= 20 per 1h`, `sum(amount) <= 500 per 1d`. Windows are fixed,
 * aligned to the epoch (UTC), on the store's clock.
 */
export interface Budget {
  readonly measure: BudgetMeasure;
  /** The argument path summed (`sum` only), e.g. `amount`. */
  readonly path?: string;
  /** The most the window may hold: a whole number for `count`. */
  readonly max: number;
  /** The window: a whole number and a unit, `s` `m` `h` `d` or `w` (`30m`, `1d`). */
  readonly per: string;
}

/** The unit of authority: an action pattern, an optional condition, an optional approval, optional budgets. */
export interface Grant {
  readonly action: string;
  readonly when?: Condition;
  readonly approval?: "human";
  /** Limits on use over time, all enforced; see Budget. */
  readonly budgets?: readonly Budget[];
}

/** Hard bounds checked before any work is done on a grant list. */
export const GRANT_LIMITS = {
  grantsPerList: 32,
  constraintsPerGrant: 64,
  actionLength: 256,
  pathSegments: 16,
  listItems: 256,
  stringLength: 1024,
  budgetsPerGrant: 8,
} as const;
