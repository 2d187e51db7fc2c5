import { type Constraint, parseGrants } from "@writ/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ConstraintKind, compileConstraint } from "../src/grants/compiled-constraint.js";
import { CompiledGrants } from "../src/grants/compiled-grants.js";
import { admitsStatically, domainOf, uniformDomain } from "../src/grants/domain.js";

/** What the general path answers: the reference every compiled check must agree with. */
const generalAdmits = (constraint: Constraint, value: unknown) =>
  admitsStatically(uniformDomain(domainOf(constraint)), value);

/** Only constraints the grant language accepts, as the guard receives them. */
const valid = (raw: Record<string, unknown>): Constraint | undefined => {
  try {
    return parseGrants([{ action: "a.b", when: { p: raw } }])[0]?.when?.p;
  } catch {
    return undefined;
  }
};

const BOUNDS = [-1, -0, 0, 0.5, 1, 49, 5000, 2 ** 53 - 1, -(2 ** 53 - 1)] as const;
const WORDS = ["USD", "EUR", "", "/pub/", "/pub/a", "https://h.test", "https://h.test/"] as const;
const bound = fc.constantFrom(...BOUNDS);
const word = fc.constantFrom(...WORDS);

const oneOrTwo = (operators: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .subarray(Object.keys(operators), { minLength: 1, maxLength: 2 })
    .chain((chosen) =>
      fc.record(
        Object.fromEntries(chosen.map((op) => [op, operators[op] as fc.Arbitrary<unknown>])),
      ),
    );

/** Constraints of each specialised kind, and of shapes left to the general path. */
const constraints: Record<ConstraintKind, fc.Arbitrary<Record<string, unknown>>> = {
  range: oneOrTwo({ lt: bound, lte: bound, gt: bound, gte: bound }),
  oneOf: fc.oneof(
    fc.record({ eq: fc.oneof(bound, word, fc.boolean()) }),
    fc.record({ in: fc.uniqueArray(bound, { minLength: 1, maxLength: 4 }) }),
    fc.record({ in: fc.uniqueArray(word, { minLength: 1, maxLength: 4 }) }),
    fc.record({ in: fc.uniqueArray(fc.boolean(), { minLength: 1, maxLength: 2 }) }),
  ),
  noneOf: fc.oneof(
    fc.record({ neq: fc.oneof(bound, word, fc.boolean()) }),
    fc.record({ nin: fc.uniqueArray(bound, { minLength: 1, maxLength: 4 }) }),
    fc.record({ nin: fc.uniqueArray(word, { minLength: 1, maxLength: 4 }) }),
    fc.record({ neq: word, nin: fc.uniqueArray(word, { minLength: 1, maxLength: 3 }) }),
  ),
  prefix: fc.record({
    prefix: fc.constantFrom("/pub/", "/pub", "U", "https://h.test", "https://h."),
  }),
  set: fc.record({ inSet: fc.constant("crm.contacts") }),
  general: fc.oneof(
    fc.record({ lt: bound, in: fc.uniqueArray(bound, { minLength: 1, maxLength: 3 }) }),
    fc.record({ gte: bound, neq: bound }),
    fc.record({ prefix: fc.constant("/pub/"), nin: fc.uniqueArray(word, { minLength: 1 }) }),
    fc.record({ eq: bound, inSet: fc.constant("crm.contacts") }),
    fc.record({ lt: bound, inSet: fc.constant("crm.contacts") }),
  ),
};

/** Values at and around every operand, of every type, and the ones no condition may pass. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  bound,
  bound.map((b) => b + Number.EPSILON * Math.max(1, Math.abs(b))),
  bound.map((b) => b - 1),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    Number.MIN_VALUE,
  ),
  fc.double(),
  fc.integer(),
  word,
  word.map((w) => `${w}x`),
  fc.constantFrom(
    "49",
    "usd",
    "/pub/../secret",
    "/pub/%2e%2e/x",
    "/pub/a\tb",
    "/pub/a..b",
    "https://h.test.evil/",
    "https://h.test?q",
    "https://h.test:8443",
    `/pub/${"a".repeat(1020)}`,
    "U".repeat(1025),
  ),
  fc.string(),
  fc.boolean(),
  fc.constantFrom(undefined, null, {}, [], ["USD"], { valueOf: () => 49 }, 49n),
);

describe("a compiled constraint", () => {
  for (const [kind, constraint] of Object.entries(constraints)) {
    it(`of kind ${kind} admits exactly the values the general path admits`, () => {
      const compiled = constraint.map(valid).filter((c): c is Constraint => c !== undefined);
      fc.assert(
        fc.property(compiled, fc.array(value, { minLength: 20, maxLength: 20 }), (c, values) => {
          const check = compileConstraint(c);
          expect(check.kind).toBe(kind);
          for (const each of values) expect(check.admits(each)).toBe(generalAdmits(c, each));
        }),
        { numRuns: 1500 },
      );
    });
  }

  it("keeps a named set for the resolver, whatever its static part", () => {
    expect(compileConstraint({ inSet: "crm.contacts" }).set).toBe("crm.contacts");
    expect(compileConstraint({ eq: 1, inSet: "crm.contacts" }).set).toBe("crm.contacts");
    expect(compileConstraint({ lt: 1 }).set).toBeUndefined();
  });

  it.each<[string, Constraint, unknown, boolean]>([
    ["-0 within [0, 1)", { gte: 0, lt: 1 }, -0, true],
    ["-0 equal to a listed 0", { in: [0, 1] }, -0, true],
    ["-0 is the excluded 0", { neq: 0 }, -0, false],
    ["NaN outside every range", { gt: -1 }, Number.NaN, false],
    ["Infinity above a lower bound", { gt: 0 }, Number.POSITIVE_INFINITY, false],
    ["an inexact integer above a lower bound", { gt: 0 }, 2 ** 53 + 2, false],
    ["a number's string for a range", { lt: 50 }, "49", false],
    ["a missing argument for not in", { nin: ["draft"] }, undefined, false],
    ["a number for not in a string list", { nin: ["draft"] }, 3, false],
    ["a string over 1,024 characters for not in", { nin: ["draft"] }, "x".repeat(1025), false],
    [
      "a string over 1,024 characters with the prefix",
      { prefix: "/p" },
      `/p${"x".repeat(1023)}`,
      false,
    ],
    ["a climbing path with the prefix", { prefix: "/pub/" }, "/pub/../etc", false],
    ["a continued host", { prefix: "https://h.test" }, "https://h.test.evil/", false],
    ["an object for a named set", { inSet: "s" }, { id: 1 }, false],
  ])("judges %s as the general path does", (_name, constraint, input, admitted) => {
    const check = compileConstraint(constraint);
    expect(check.kind).not.toBe("general");
    expect(check.admits(input)).toBe(admitted);
    expect(generalAdmits(constraint, input)).toBe(admitted);
  });
});

describe("a grant list of compiled constraints", () => {
  it("still names the first grant that failed and the operator that refused", () => {
    const list = new CompiledGrants(
      parseGrants([
        { action: "refunds.approve", when: { amount: { gt: 0, lt: 50 }, note: { prefix: "no" } } },
        { action: "refunds.approve", when: { amount: { lt: 5000 }, currency: { in: ["USD"] } } },
      ]),
    );
    expect(list.evaluate("refunds.approve", { amount: 60, currency: "USD", note: "ok" })).toEqual({
      permitted: true,
      approval: false,
      grant: 1,
    });
    expect(list.evaluate("refunds.approve", { amount: -0, currency: "EUR" })).toEqual({
      permitted: false,
      code: "grant.condition_failed",
      grant: 0,
      path: "amount",
      operator: "gt",
    });
    expect(list.evaluate("refunds.approve", { amount: "49", currency: "USD" })).toMatchObject({
      grant: 0,
      path: "amount",
      operator: "lt",
    });
  });
});
