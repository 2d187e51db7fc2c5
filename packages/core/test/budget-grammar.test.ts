import {
  assertNarrower,
  formatGrant,
  parseGrant,
  parseGrants,
  parseGrantText,
  WritError,
} from "@writ/core";
import { describe, expect, it } from "vitest";

function syntaxError(text: string): WritError {
  try {
    parseGrantText(text);
  } catch (error) {
    expect(error).toBeInstanceOf(WritError);
    return error as WritError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe("budgets in the text form", () => {
  it("parse after the condition, to the JSON form", () => {
    expect(parseGrant("refunds.approve(amount < 50) within sum(amount) <= 500 per 1d")).toEqual({
      action: "refunds.approve",
      when: { amount: { lt: 50 } },
      budgets: [{ measure: "sum", path: "amount", max: 500, per: "1d" }],
    });
    expect(parseGrant("email.send within count <= 20 per 1h")).toEqual({
      action: "email.send",
      budgets: [{ measure: "count", max: 20, per: "1h" }],
    });
  });

  it("take several budgets, and approval before or after them", () => {
    const grant = parseGrant(
      "refunds.approve needs approval within count <= 3 per 1h, sum(order.total) <= 99.5 per 7d",
    );
    expect(grant).toEqual({
      action: "refunds.approve",
      approval: "human",
      budgets: [
        { measure: "count", max: 3, per: "1h" },
        { measure: "sum", path: "order.total", max: 99.5, per: "1w" },
      ],
    });
    expect(parseGrant(formatGrant(grant))).toEqual(grant);
    expect(formatGrant(grant)).toBe(
      "refunds.approve within count <= 3 per 1h, sum(order.total) <= 99.5 per 1w needs approval",
    );
  });

  it("spell equal windows alike", () => {
    expect(parseGrant("a.b within count <= 1 per 24h").budgets?.[0]?.per).toBe("1d");
    expect(parseGrant("a.b within count <= 1 per 90m").budgets?.[0]?.per).toBe("90m");
    expect(parseGrant("a.b within count <= 1 per 120s").budgets?.[0]?.per).toBe("2m");
  });

  it("keep grants apart in a list", () => {
    expect(
      parseGrantText("email.send within count <= 20 per 1h; docs.read").map((g) => g.action),
    ).toEqual(["email.send", "docs.read"]);
  });

  it.each([
    ["refunds.approve within", 23, "expected a budget"],
    ["refunds.approve within total <= 5 per 1d", 24, "expected a budget"],
    ["refunds.approve within sum(amount) < 5 per 1d", 36, 'expected "<="'],
    ["refunds.approve within count <= -1 per 1d", 33, "a number, 0 or more"],
    ["refunds.approve within count <= 5 each 1d", 35, 'expected "per"'],
    ["refunds.approve within count <= 5 per 1y", 39, '"1y" is not a window'],
    ["refunds.approve within count <= 5 per 400d", 39, '"400d" is not a window'],
    ["refunds.approve within sum(amount <= 5 per 1d", 35, 'expected ")"'],
  ])("refuse %j at column %i", (text, column, problem) => {
    const error = syntaxError(text);
    expect(error.code).toBe("grant.syntax");
    expect(error.details).toMatchObject({ line: 1, column });
    expect(error.message).toContain(problem);
  });

  it("refuse a fractional count and too many budgets as invalid grants", () => {
    expect(syntaxError("a.b within count <= 1.5 per 1h")).toMatchObject({
      code: "grant.invalid",
      details: { grant: 0, budget: 0 },
    });
    const nine = Array.from({ length: 9 }, () => "count <= 1 per 1h").join(", ");
    expect(syntaxError(`a.b within ${nine}`).code).toBe("grant.syntax");
  });
});

describe("budgets in the JSON form", () => {
  it.each([
    [{ measure: "total", max: 1, per: "1h" }, '"measure"'],
    [{ measure: "sum", max: 1, per: "1h" }, '"path"'],
    [{ measure: "count", path: "amount", max: 1, per: "1h" }, 'no "path"'],
    [{ measure: "sum", path: "amount", max: Number.NaN, per: "1h" }, '"max"'],
    [{ measure: "sum", path: "amount", max: -1, per: "1h" }, '"max"'],
    [{ measure: "count", max: 1, per: 3600 }, 'window "per"'],
    [{ measure: "count", max: 1, per: "1h", extra: true }, "an object"],
  ])("refuse %j, saying what was expected", (budget, expected) => {
    try {
      parseGrants([{ action: "a.b", budgets: [budget] }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "grant.invalid", details: { grant: 0, budget: 0 } });
      expect((error as Error).message).toContain(expected);
    }
  });

  it("refuse budgets that are not a list", () => {
    expect(() => parseGrants([{ action: "a.b", budgets: {} }])).toThrow(/"budgets" must be a list/);
  });
});

describe("budgets and delegation", () => {
  const parent = parseGrantText("refunds.approve(amount < 50) within sum(amount) <= 500 per 1d");

  it("let a child add budgets, tighten them, or carry none (the parent's still apply)", () => {
    for (const child of [
      "refunds.approve(amount < 50)",
      "refunds.approve(amount < 50) within sum(amount) <= 200 per 1d",
      "refunds.approve(amount < 50) within sum(amount) <= 100 per 1h, count <= 5 per 1d",
      "refunds.approve(amount < 50) within sum(amount) <= 900 per 1w",
    ]) {
      expect(() => assertNarrower(parseGrantText(child), parent)).not.toThrow();
    }
  });

  it("explain a wider child budget as broadening", () => {
    for (const child of [
      "refunds.approve(amount < 50) within sum(amount) <= 501 per 1d",
      "refunds.approve(amount < 50) within sum(amount) <= 600 per 1h",
    ]) {
      expect(() => assertNarrower(parseGrantText(child), parent)).toThrow(
        expect.objectContaining({
          code: "delegation.broadens",
          details: expect.objectContaining({ grant: 0, path: "amount" }),
          message: expect.stringContaining(
            'allows more than the parent\'s "sum(amount) <= 500 per 1d"',
          ),
        }),
      );
    }
  });
});
