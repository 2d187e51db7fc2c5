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

/** The unit of authority: an action pattern, an optional condition, an optional approval. */
export interface Grant {
  readonly action: string;
  readonly when?: Condition;
  readonly approval?: "human";
}

/** Hard bounds checked before any work is done on a grant list. */
export const GRANT_LIMITS = {
  grantsPerList: 32,
  constraintsPerGrant: 64,
  actionLength: 256,
  pathSegments: 16,
  listItems: 256,
  stringLength: 1024,
} as const;
