import {
  actionContains,
  actionMatches,
  formatGrant,
  type Grant,
  parseGrant,
  parseGrants,
  parseGrantText,
} from "@writ/core";
import { describe, expect, it } from "vitest";
import { CompiledGrants } from "../src/grants/compiled-grants.js";

const evaluate = (
  grants: string,
  action: string,
  args: unknown,
  sets: Record<string, string[]> = {},
) =>
  new CompiledGrants(parseGrantText(grants)).evaluate(action, args, (set, value) =>
    sets[set] === undefined ? undefined : sets[set].includes(value as string),
  );

describe("actions", () => {
  it("match per whole segment", () => {
    expect(actionMatches("email.*", "email.send")).toBe(true);
    expect(actionMatches("email.*", "email.send.bulk")).toBe(true);
    expect(actionMatches("email.*", "emails.send")).toBe(false);
    expect(actionMatches("email.*", "email")).toBe(false);
    expect(actionMatches("*", "anything.at.all")).toBe(true);
    expect(actionMatches("refunds.approve", "refunds.approve.all")).toBe(false);
  });

  it("contain narrower patterns only", () => {
    expect(actionContains("email.*", "email.send.*")).toBe(true);
    expect(actionContains("email.*", "email.*")).toBe(true);
    expect(actionContains("email.send.*", "email.*")).toBe(false);
    expect(actionContains("email.send", "email.*")).toBe(false);
    expect(actionContains("*", "email.*")).toBe(true);
  });
});

describe("grant validation", () => {
  it.each([
    ["a list", {}, "Grants must be an array"],
    ["an action", [{ action: "refunds..approve" }], 'grant 0: "action" must be a dotted name'],
    ["known members", [{ action: "a", scope: "x" }], 'unknown member "scope"'],
    [
      "known operators",
      [{ action: "a", when: { amount: { below: 5 } } }],
      'path "amount": unknown operator "below"',
    ],
    [
      "finite numbers",
      [{ action: "a", when: { amount: { lt: "5000" } } }],
      'operator "lt": expected a finite number',
    ],
    [
      "exact integers",
      [{ action: "a", when: { amount: { lt: 2 ** 53 + 2 } } }],
      "integers within ±2^53",
    ],
    [
      "one type per path",
      [{ action: "a", when: { to: { prefix: "a", lt: 3 } } }],
      "need different value types",
    ],
    ["safe paths", [{ action: "a", when: { "__proto__.x": { eq: 1 } } }], 'path "__proto__.x"'],
    ["non-empty lists", [{ action: "a", when: { c: { in: [] } } }], "a non-empty list"],
    ["lists of one type", [{ action: "a", when: { c: { in: ["a", 1] } } }], "all have one type"],
    [
      "set names",
      [{ action: "a", when: { to: { inSet: "has spaces" } } }],
      'a set name like "crm.contacts"',
    ],
    ["human approval", [{ action: "a", approval: "robot" }], '"approval" can only be "human"'],
  ])("requires %s and says where it is wrong", (_name, input, message) => {
    expect(() => parseGrants(input)).toThrow(
      expect.objectContaining({ code: "grant.invalid", message: expect.stringContaining(message) }),
    );
  });

  it("names the grant, path and operator in the error details", () => {
    try {
      parseGrants([{ action: "a" }, { action: "b", when: { amount: { gt: "1" } } }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ details: { grant: 1, path: "amount", operator: "gt" } });
    }
  });

  it("refuses more than 32 grants and more than 64 constraints", () => {
    expect(() => parseGrants(Array.from({ length: 33 }, () => ({ action: "a" })))).toThrow(
      /at most 32/,
    );
    const when = Object.fromEntries(
      Array.from({ length: 65 }, (_, index) => [`p${index}`, { eq: 1 }]),
    );
    expect(() => parseGrants([{ action: "a", when }])).toThrow(/at most 64/);
  });
});

describe("the text form", () => {
  it("parses the examples of DESIGN §3 to the JSON form", () => {
    expect(parseGrant("refunds.approve(amount < 5000, currency in [USD, EUR])")).toEqual({
      action: "refunds.approve",
      when: { amount: { lt: 5000 }, currency: { in: ["USD", "EUR"] } },
    });
    expect(parseGrant("email.send(to in @crm.contacts)")).toEqual({
      action: "email.send",
      when: { to: { inSet: "crm.contacts" } },
    });
    expect(parseGrant("refunds.approve(amount >= 5000) needs approval")).toEqual({
      action: "refunds.approve",
      when: { amount: { gte: 5000 } },
      approval: "human",
    });
  });

  it("merges several operators on one path", () => {
    expect(
      parseGrant(
        'docs.read(size > 0, size <= 10, label == public, path startsWith "/pub/", kind not in [a, b])',
      ),
    ).toEqual({
      action: "docs.read",
      when: {
        size: { gt: 0, lte: 10 },
        label: { eq: "public" },
        path: { prefix: "/pub/" },
        kind: { nin: ["a", "b"] },
      },
    });
  });

  it("keeps quoted numbers as strings", () => {
    expect(parseGrant('a(amount == "49")').when).toEqual({ amount: { eq: "49" } });
    expect(formatGrant({ action: "a", when: { amount: { eq: "49" } } })).toBe('a(amount == "49")');
  });

  it("separates grants with semicolons or new lines", () => {
    expect(parseGrantText("a.b; c.d\n e.*\n\n").map((grant) => grant.action)).toEqual([
      "a.b",
      "c.d",
      "e.*",
    ]);
  });

  it.each([
    ["refunds.approve(amount <", "line 1 column 25: expected a value"],
    ["refunds.approve(amount ~ 5)", "expected an operator"],
    ["a(x == 1, x == 2)", '"x" already has a eq constraint'],
    ["a(x in 5)", "expected a list"],
    ["a b", 'expected ";" or a new line'],
  ])("reports %j with its position", (text, message) => {
    expect(() => parseGrantText(text)).toThrow(
      expect.objectContaining({ code: "grant.syntax", message: expect.stringContaining(message) }),
    );
  });

  it("round-trips through the printer", () => {
    const grants: Grant[] = parseGrants([
      {
        action: "refunds.approve",
        when: { amount: { gte: 10, lt: 5000 }, currency: { in: ["USD", "EUR"] } },
        approval: "human",
      },
      {
        action: "email.*",
        when: { "to.address": { inSet: "crm.contacts", neq: "ceo@example.com" } },
      },
      { action: "docs.read", when: { public: { eq: true }, title: { prefix: "Q3 report" } } },
    ]);
    for (const grant of grants) expect(parseGrant(formatGrant(grant))).toEqual(grant);
  });
});

describe("evaluation", () => {
  const refunds = "refunds.approve(amount < 5000, currency in [USD, EUR])";

  it("permits when the action matches and the condition holds", () => {
    expect(evaluate(refunds, "refunds.approve", { amount: 4999, currency: "USD" })).toMatchObject({
      permitted: true,
      approval: false,
    });
  });

  it.each([
    ["a missing field", { currency: "USD" }, "amount", "lt"],
    ['"49" for 49', { amount: "49", currency: "USD" }, "amount", "lt"],
    ["NaN", { amount: Number.NaN, currency: "USD" }, "amount", "lt"],
    ["2^53+1", { amount: 2 ** 53 + 2, currency: "USD" }, "amount", "lt"],
    ["the bound itself", { amount: 5000, currency: "USD" }, "amount", "lt"],
    ["a value outside the list", { amount: 1, currency: "GBP" }, "currency", "in"],
  ])("fails closed on %s", (_name, args, path, operator) => {
    expect(evaluate(refunds, "refunds.approve", args)).toEqual({
      permitted: false,
      code: "grant.condition_failed",
      grant: 0,
      path,
      operator,
    });
  });

  it("judges a condition several grants share once, and still names the first grant that failed", () => {
    const shared =
      "refunds.approve(amount < 5000, note startsWith a); refunds.approve(amount < 5000, note startsWith b); refunds.approve(amount <= 5000, note startsWith b)";
    expect(evaluate(shared, "refunds.approve", { amount: 10, note: "b: late" })).toMatchObject({
      permitted: true,
      grant: 1,
    });
    expect(evaluate(shared, "refunds.approve", { amount: 5000, note: "b: late" })).toMatchObject({
      permitted: true,
      grant: 2,
    });
    expect(evaluate(shared, "refunds.approve", { amount: 9000, note: "b: late" })).toEqual({
      permitted: false,
      code: "grant.condition_failed",
      grant: 0,
      path: "amount",
      operator: "lt",
    });
  });

  it("says when no grant names the action", () => {
    expect(evaluate(refunds, "refunds.issue", {})).toEqual({
      permitted: false,
      code: "grant.action_not_granted",
    });
  });

  it("reads nested paths and array indexes, never inherited properties", () => {
    expect(
      evaluate("a(customer.tier == gold)", "a", { customer: { tier: "gold" } }).permitted,
    ).toBe(true);
    expect(evaluate("a(items.0.sku == x1)", "a", { items: [{ sku: "x1" }] }).permitted).toBe(true);
    expect(
      evaluate("a(customer.tier == gold)", "a", Object.create({ customer: { tier: "gold" } }))
        .permitted,
    ).toBe(false);
  });

  it("checks named sets through the membership answer, failing closed when unknown", () => {
    const grant = "email.send(to in @crm.contacts)";
    const sets = { "crm.contacts": ["ann@example.com"] };
    expect(evaluate(grant, "email.send", { to: "ann@example.com" }, sets).permitted).toBe(true);
    expect(evaluate(grant, "email.send", { to: "eve@evil.test" }, sets)).toMatchObject({
      code: "grant.condition_failed",
      operator: "inSet",
    });
    expect(evaluate(grant, "email.send", { to: "ann@example.com" })).toMatchObject({
      code: "grant.set_unavailable",
    });
  });

  it("needs approval only when every permitting grant asks for one", () => {
    const grants = "refunds.approve(amount < 50); refunds.approve(amount < 5000) needs approval";
    expect(evaluate(grants, "refunds.approve", { amount: 10 })).toMatchObject({
      permitted: true,
      approval: false,
    });
    expect(evaluate(grants, "refunds.approve", { amount: 60 })).toMatchObject({
      permitted: true,
      approval: true,
    });
    expect(evaluate(grants, "refunds.approve", { amount: 6000 })).toMatchObject({
      permitted: false,
    });
  });

  it("lists the set lookups a call needs", () => {
    const compiled = new CompiledGrants(
      parseGrantText("email.send(to in @crm.contacts, cc in @crm.contacts)"),
    );
    expect(compiled.setQueries("email.send", { to: "a@x.test", cc: 3 })).toEqual([
      { set: "crm.contacts", value: "a@x.test" },
      { set: "crm.contacts", value: 3 },
    ]);
  });
});

describe("prefix", () => {
  it.each([
    ["/data/public/../secret"],
    ["/data/public/..\\secret"],
    ["/data/public/%2e%2e/secret"],
    ["/data/public/.%2E/secret"],
    ["/data/public/a/../../secret"],
    ["/data/public/.."],
  ])("refuses %s, which climbs out of the prefix", (path) => {
    expect(evaluate('fs.read(path startsWith "/data/public/")', "fs.read", { path })).toMatchObject(
      {
        permitted: false,
        operator: "prefix",
      },
    );
  });

  it.each([["/data/public/a..b"], ["/data/public/..hidden"], ["/data/public/x/./y"]])(
    "accepts %s, which stays inside",
    (path) => {
      expect(
        evaluate('fs.read(path startsWith "/data/public/")', "fs.read", { path }).permitted,
      ).toBe(true);
    },
  );
});
