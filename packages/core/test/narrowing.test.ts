import {
  assertNarrower,
  intersectGrants,
  parseGrantText,
  WritError,
  whyNotNarrower,
} from "@writ/core";
import { describe, expect, it } from "vitest";

const narrower = (child: string, parent: string) =>
  whyNotNarrower(parseGrantText(child), parseGrantText(parent));

describe("the subset check", () => {
  it.each([
    ["a tighter bound", "refunds.approve(amount < 50)", "refunds.approve(amount < 5000)"],
    ["an equal bound", "refunds.approve(amount <= 10)", "refunds.approve(amount <= 10)"],
    ["an exclusive bound inside an inclusive one", "r(amount < 10)", "r(amount <= 10)"],
    ["a sub-list", "r(currency in [USD])", "r(currency in [USD, EUR])"],
    ["listed values inside a bound", "r(amount in [1, 2, 3])", "r(amount < 5)"],
    [
      "a longer prefix",
      'docs.read(path startsWith "/pub/q3/")',
      'docs.read(path startsWith "/pub/")',
    ],
    [
      "a path under the host a URL prefix ends in",
      'web.get(url startsWith "https://api.example.com/v1/")',
      'web.get(url startsWith "https://api.example.com")',
    ],
    ["the same named set", "email.send(to in @crm.contacts)", "email.send(to in @crm.contacts)"],
    ["a narrower action", "email.send", "email.*"],
    ["an extra constraint", "r(amount < 5, note == x)", "r(amount < 5)"],
    ["a kept approval", "r needs approval", "r needs approval"],
    ["an added approval", "r needs approval", "r"],
    ["a grant covered by any parent grant", "b.x(n < 3)", "a.*; b.*(n < 4)"],
    ["a child that refuses what the parent refuses", "r(c not in [x, y])", "r(c != x)"],
  ])("accepts %s", (_name, child, parent) => {
    expect(narrower(child, parent)).toBeUndefined();
  });

  it.each([
    [
      "a looser bound",
      "refunds.approve(amount < 10000)",
      "refunds.approve(amount < 5000)",
      "amount",
      "upper bound is above",
    ],
    [
      "an inclusive bound over an exclusive one",
      "r(amount <= 10)",
      "r(amount < 10)",
      "amount",
      "upper bound",
    ],
    [
      "a dropped constraint",
      "refunds.approve",
      "refunds.approve(amount < 5000)",
      "amount",
      "the child does not",
    ],
    [
      "a bigger list",
      "r(currency in [USD, GBP])",
      "r(currency in [USD, EUR])",
      "currency",
      '"GBP"',
    ],
    [
      "a literal list for a named set",
      "email.send(to in [a@x.test])",
      "email.send(to in @crm.contacts)",
      "to",
      "must keep",
    ],
    [
      "another named set",
      "email.send(to in @all)",
      "email.send(to in @crm.contacts)",
      "to",
      "must keep",
    ],
    [
      "a shorter prefix",
      'docs.read(path startsWith "/")',
      'docs.read(path startsWith "/pub/")',
      "path",
      "prefix",
    ],
    [
      "a prefix that continues the host its parent's URL prefix ends in",
      'web.get(url startsWith "https://api.example.com.evil.test/")',
      'web.get(url startsWith "https://api.example.com")',
      "url",
      "not its host",
    ],
    ["a wider action", "email.*", "email.send", undefined, "covers the action"],
    [
      "a dropped approval",
      "r(amount < 5)",
      "r(amount < 5) needs approval",
      undefined,
      "needs approval",
    ],
    ["a type change", 'r(amount == "10")', "r(amount < 20)", "amount", '"10"'],
    ["a forgotten exclusion", "r(c in [x, y])", "r(c != x)", "c", '"x"'],
  ])("refuses %s, naming the path and why", (_name, child, parent, path, reason) => {
    const failure = narrower(child, parent);
    expect(failure).toMatchObject({
      grant: 0,
      ...(path ? { path } : {}),
      reason: expect.stringContaining(reason),
    });
  });

  it("throws delegation.broadens naming the grant, path and why", () => {
    expect(() =>
      assertNarrower(
        parseGrantText("a; refunds.approve(amount < 9000)"),
        parseGrantText("a; refunds.approve(amount < 5000)"),
      ),
    ).toThrow(
      expect.objectContaining({
        code: "delegation.broadens",
        details: { grant: 1, action: "refunds.approve", path: "amount" },
        message: expect.stringContaining(
          'Cannot delegate grant 1 "refunds.approve(amount < 9000)", path "amount"',
        ),
      }),
    );
    expect(() => assertNarrower(parseGrantText("b"), parseGrantText("a"))).toThrow(WritError);
  });
});

describe("intersection", () => {
  const intersect = (a: string, b: string) => intersectGrants(parseGrantText(a), parseGrantText(b));

  it("takes the more specific action and the tighter domain", () => {
    expect(
      intersect(
        "refunds.*(amount < 5000)",
        "refunds.approve(amount < 100, currency in [USD, EUR])",
      ),
    ).toEqual(parseGrantText("refunds.approve(amount < 100, currency in [USD, EUR])"));
  });

  it("asks for approval if either side does", () => {
    expect(intersect("r(amount < 10)", "r needs approval")).toEqual(
      parseGrantText("r(amount < 10) needs approval"),
    );
  });

  it("drops pairs that share no action or no value", () => {
    expect(intersect("a.*", "b.*")).toEqual([]);
    expect(intersect("r(amount < 10)", "r(amount > 20)")).toEqual([]);
    expect(intersect("r(c in [x])", "r(c in [y])")).toEqual([]);
    expect(intersect('r(p startsWith "/a")', 'r(p startsWith "/b")')).toEqual([]);
  });

  it("filters listed values by the other side's constraints", () => {
    expect(intersect("r(amount in [1, 5, 9])", "r(amount < 6)")).toEqual(
      parseGrantText("r(amount in [1, 5])"),
    );
  });

  it("keeps only grants no other result covers", () => {
    expect(intersect("email.*; email.send", "email.send(to in @crm.contacts)")).toEqual(
      parseGrantText("email.send(to in @crm.contacts)"),
    );
  });
});
