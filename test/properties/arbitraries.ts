import { type Grant, parseGrants } from "@writ/core";
import fc from "fast-check";

/** A small vocabulary, so that random grants and calls actually meet. */
export const ACTIONS = [
  "refunds.approve",
  "refunds.issue",
  "email.send",
  "email.send.bulk",
] as const;
const PATTERNS = [...ACTIONS, "refunds.*", "email.*", "*"] as const;
const NUMBERS = [-1, 0, 1, 2.5, 10, 49, 50, 100] as const;
const STRINGS = [
  "USD",
  "EUR",
  "/pub",
  "/pub/a",
  "/priv",
  "ann@x.test",
  "https://h.test/a",
  "https://h.test.evil/a",
] as const;
export const SET_MEMBERS = new Set<unknown>(["ann@x.test", "USD", 10]);

const number = fc.constantFrom(...NUMBERS);
const string = fc.constantFrom(...STRINGS);

type Operand = fc.Arbitrary<unknown>;

/** One to three operators, each with an operand of the path's type. */
function constraintOf(operators: Record<string, Operand>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .subarray(Object.keys(operators), {
      minLength: 1,
      maxLength: Math.min(3, Object.keys(operators).length),
    })
    .chain((chosen) =>
      fc.record(
        Object.fromEntries(chosen.map((operator) => [operator, operators[operator] as Operand])),
      ),
    );
}

const numberConstraint = constraintOf({
  eq: number,
  neq: number,
  lt: number,
  lte: number,
  gt: number,
  gte: number,
  in: fc.uniqueArray(number, { minLength: 1, maxLength: 3 }),
  nin: fc.uniqueArray(number, { minLength: 1, maxLength: 2 }),
  inSet: fc.constant("crm.contacts"),
});

const stringConstraint = constraintOf({
  eq: string,
  neq: string,
  in: fc.uniqueArray(string, { minLength: 1, maxLength: 3 }),
  nin: fc.uniqueArray(string, { minLength: 1, maxLength: 2 }),
  prefix: fc.constantFrom(
    "/pub",
    "/pub/",
    "/",
    "U",
    "https://h.test",
    "https://h.test/",
    "https://h.",
  ),
  inSet: fc.constant("crm.contacts"),
});

const booleanConstraint = constraintOf({ eq: fc.boolean(), neq: fc.boolean() });

export const grant: fc.Arbitrary<Grant> = fc
  .record(
    {
      action: fc.constantFrom(...PATTERNS),
      when: fc.record(
        { n: numberConstraint, s: stringConstraint, b: booleanConstraint },
        { requiredKeys: [] },
      ),
      approval: fc.constant("human" as const),
    },
    { requiredKeys: ["action"] },
  )
  .map((raw) => parseGrants([raw])[0] as Grant);

export const grants = fc.array(grant, { minLength: 0, maxLength: 4 });

/**
 * A parent list and a child list that is often, but not always, narrower: the
 * child takes some parent grants and adds constraints, on new paths (always
 * narrower) or replacing the parent's on the same path (narrower only when the
 * random domain falls inside the parent's).
 */
export const parentAndChild = grants.chain((parent) =>
  fc.tuple(
    fc.constant(parent),
    fc.oneof(
      grants,
      fc.subarray(parent).chain((kept) =>
        fc.tuple(...kept.map((g) => fc.tuple(fc.constant(g), grant, fc.boolean()))).map((triples) =>
          triples.map(([g, extra, replace]) => {
            const when = replace ? { ...g.when, ...extra.when } : { ...extra.when, ...g.when };
            return parseGrants([
              { ...g, when, ...(extra.approval ? { approval: "human" } : {}) },
            ])[0] as Grant;
          }),
        ),
      ),
    ),
  ),
);

/** Arguments that sometimes miss paths or carry the wrong type. */
export const args = fc.record(
  {
    n: fc.oneof(number, string),
    s: fc.oneof(string, number),
    b: fc.boolean(),
  },
  { requiredKeys: [] },
);

export const action = fc.constantFrom(...ACTIONS);

export const membership = (set: string, value: unknown) =>
  set === "crm.contacts" && SET_MEMBERS.has(value);
