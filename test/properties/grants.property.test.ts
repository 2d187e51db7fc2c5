import {
  actionMatches,
  formatGrant,
  intersectGrants,
  parseGrant,
  whyNotNarrower,
} from "@writ/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompiledGrants } from "../../packages/core/src/grants/compiled-grants.js";
import { GrantIndex } from "../../packages/core/src/grants/grant-index.js";
import { action, args, grant, grants, membership, parentAndChild } from "./arbitraries.js";

const judge = (list: Parameters<typeof intersectGrants>[0], act: string, input: unknown) =>
  new CompiledGrants(list).evaluate(act, input, membership);

describe("grant properties", () => {
  it("the action index finds exactly the grants whose pattern matches, in list order", () => {
    const pattern = fc.oneof(
      action,
      action.map((name) => `${name.split(".")[0]}.*`),
      fc.constant("*"),
    );
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 32 }), action, (patterns, act) => {
        const expected = patterns.flatMap((each, position) =>
          actionMatches(each, act) ? [position] : [],
        );
        expect(new GrantIndex(patterns).matching(act)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("whatever a narrower grant list allows, its parent allows (and without approval only if the parent does)", () => {
    fc.assert(
      fc.property(parentAndChild, action, args, ([parent, child], act, input) => {
        fc.pre(whyNotNarrower(child, parent) === undefined);
        const childVerdict = judge(child, act, input);
        if (!childVerdict.permitted) return;
        const parentVerdict = judge(parent, act, input);
        expect(parentVerdict.permitted).toBe(true);
        if (!childVerdict.approval) expect(parentVerdict).toMatchObject({ approval: false });
      }),
      { numRuns: 6000 },
    );
  });

  it("the subset check holds often enough in random data to mean something", () => {
    const narrowerPairs = fc
      .sample(parentAndChild, 1000)
      .filter(([parent, child]) => child.length > 0 && whyNotNarrower(child, parent) === undefined);
    expect(narrowerPairs.length).toBeGreaterThan(100);
  });

  it("intersect(a, b) allows a call iff both allow it, and asks approval iff either does", () => {
    fc.assert(
      fc.property(grants, grants, action, args, (a, b, act, input) => {
        const both = judge(intersectGrants(a, b), act, input);
        const left = judge(a, act, input);
        const right = judge(b, act, input);
        expect(both.permitted).toBe(left.permitted && right.permitted);
        if (both.permitted && left.permitted && right.permitted) {
          expect(both.approval).toBe(left.approval || right.approval);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("the text form round-trips", () => {
    fc.assert(
      fc.property(grant, (g) => {
        expect(parseGrant(formatGrant(g))).toEqual(g);
      }),
      { numRuns: 2000 },
    );
  });
});
