import { WritError } from "../errors.js";
import { formatBudget } from "./budget-text.js";
import { budgetWindowSeconds } from "./budget-window.js";
import { GRANT_LIMITS, type Grant, OPERATORS, type Operator, type Scalar } from "./grant.js";
import { parseGrants } from "./validate-grants.js";

/**
 * The compact text form of grants, for people and the CLI:
 *
 *   refunds.approve(amount < 5000, currency in [USD, EUR])
 *   email.send(to in @crm.contacts)
 *   refunds.approve(amount >= 5000) needs approval
 *   refunds.approve(amount < 50) within sum(amount) <= 500 per 1d, count <= 20 per 1h
 *
 * Operators: == != < <= > >= in [..] "not in" [..] startsWith "in @set".
 * Strings may be bare words (letters first) or JSON strings; "49" stays a string.
 * Budgets follow "within", separated by ",": `count <= N per W` or
 * `sum(path) <= N per W`, W a window like 30s, 15m, 1h, 1d, 1w.
 * Grants in a list are separated by ";" or new lines.
 */
const OPERATOR_TEXT: Readonly<Record<Exclude<Operator, "inSet">, string>> = {
  eq: "==",
  neq: "!=",
  lt: "<",
  lte: "<=",
  gt: ">",
  gte: ">=",
  in: "in",
  nin: "not in",
  prefix: "startsWith",
};

const BARE_WORD = /^[A-Za-z_][A-Za-z0-9_\-./:@]*$/;
const RESERVED_WORDS = new Set(["true", "false", "null"]);

export function formatGrant(grant: Grant): string {
  const constraints: string[] = [];
  for (const [path, constraint] of Object.entries(grant.when ?? {})) {
    for (const operator of OPERATORS) {
      const operand = constraint[operator];
      if (operand === undefined) continue;
      constraints.push(
        operator === "inSet"
          ? `${path} in @${operand}`
          : `${path} ${OPERATOR_TEXT[operator]} ${formatOperand(operand)}`,
      );
    }
  }
  const condition = constraints.length > 0 ? `(${constraints.join(", ")})` : "";
  const budgets = grant.budgets?.length
    ? ` within ${grant.budgets.map(formatBudget).join(", ")}`
    : "";
  return `${grant.action}${condition}${budgets}${grant.approval ? " needs approval" : ""}`;
}

export function formatGrants(grants: readonly Grant[]): string {
  return grants.map(formatGrant).join("; ");
}

function formatOperand(operand: Scalar | readonly Scalar[]): string {
  return Array.isArray(operand)
    ? `[${operand.map(formatScalar).join(", ")}]`
    : formatScalar(operand as Scalar);
}

function formatScalar(value: Scalar): string {
  if (typeof value === "string" && BARE_WORD.test(value) && !RESERVED_WORDS.has(value))
    return value;
  return JSON.stringify(value);
}

/** Parses one grant in the text form; throws `grant.syntax` with the column, or `grant.invalid`. */
export function parseGrant(text: string): Grant {
  const grants = parseGrantText(text);
  if (grants.length !== 1) {
    throw new WritError("grant.syntax", `Expected exactly one grant, found ${grants.length}.`);
  }
  return grants[0] as Grant;
}

/** Parses a list of grants in the text form, separated by ";" or new lines. */
export function parseGrantText(text: string): Grant[] {
  const parser = new GrantTextParser(text);
  return parseGrants(parser.parseList());
}

class GrantTextParser {
  #position = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  parseList(): unknown[] {
    const grants: unknown[] = [];
    for (;;) {
      this.#skipSpace(true);
      if (this.#done()) return grants;
      if (this.#peek() === ";") {
        this.#position++;
        continue;
      }
      grants.push(this.#parseGrant());
      this.#skipSpace(false);
      if (this.#done()) return grants;
      const separator = this.#peek();
      if (separator !== ";" && separator !== "\n" && separator !== "\r") {
        this.#fail('expected ";" or a new line between grants');
      }
      this.#position++;
    }
  }

  #parseGrant(): Record<string, unknown> {
    const action = this.#take(/[A-Za-z0-9_.*-]+/y, "an action like refunds.approve");
    const grant: Record<string, unknown> = { action };
    this.#skipSpace(false);
    if (this.#peek() === "(") {
      this.#position++;
      const when = this.#parseConditions();
      if (Object.keys(when).length > 0) grant.when = when;
    }
    // "within …" and "needs approval" may come in either order, each at most once.
    for (;;) {
      this.#skipSpace(false);
      if (grant.budgets === undefined && this.#accept(/within\b/y)) {
        grant.budgets = this.#parseBudgets();
      } else if (grant.approval === undefined && this.#accept(/needs\s+approval\b/y)) {
        grant.approval = "human";
      } else {
        return grant;
      }
    }
  }

  #parseBudgets(): Record<string, unknown>[] {
    const budgets: Record<string, unknown>[] = [];
    for (;;) {
      this.#skipSpace(false);
      const start = this.#position;
      budgets.push(this.#parseBudget());
      if (budgets.length > GRANT_LIMITS.budgetsPerGrant) {
        this.#position = start;
        this.#fail(`at most ${GRANT_LIMITS.budgetsPerGrant} budgets per grant`);
      }
      this.#skipSpace(false);
      if (!this.#accept(/,/y)) return budgets;
    }
  }

  #parseBudget(): Record<string, unknown> {
    const budget: Record<string, unknown> = {};
    if (this.#accept(/count\b/y)) {
      budget.measure = "count";
    } else if (this.#accept(/sum\s*\(/y)) {
      budget.measure = "sum";
      this.#skipSpace(false);
      budget.path = this.#take(
        /[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*/y,
        "an argument path to sum, like sum(amount)",
      );
      this.#skipSpace(false);
      if (!this.#accept(/\)/y)) this.#fail('expected ")" after the summed path');
    } else {
      this.#fail("expected a budget: count <= 20 per 1h, or sum(amount) <= 500 per 1d");
    }
    this.#skipSpace(false);
    if (!this.#accept(/<=/y)) this.#fail('expected "<=" and the most the window may hold');
    this.#skipSpace(false);
    const max = this.#take(/(?:0|[1-9]\d*)(?:\.\d+)?(?![A-Za-z0-9_])/y, "a number, 0 or more");
    budget.max = Number(max);
    this.#skipSpace(false);
    if (!this.#accept(/per\b/y)) this.#fail('expected "per" and a window like 1h or 1d');
    this.#skipSpace(false);
    const windowStart = this.#position;
    const per = this.#take(/\d+[A-Za-z]*/y, "a window like 30s, 15m, 1h, 1d or 1w");
    if (budgetWindowSeconds(per) === undefined) {
      this.#position = windowStart;
      this.#fail(`"${per}" is not a window: use a whole number and s, m, h, d or w, at most 366d`);
    }
    budget.per = per;
    return budget;
  }

  #parseConditions(): Record<string, Record<string, unknown>> {
    const when: Record<string, Record<string, unknown>> = {};
    this.#skipSpace(true);
    if (this.#accept(/\)/y)) return when;
    for (;;) {
      this.#skipSpace(true);
      const start = this.#position;
      const path = this.#take(
        /[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*/y,
        "an argument path like amount",
      );
      this.#skipSpace(false);
      const [operator, operand] = this.#parseOperation();
      const constraint = when[path] ?? {};
      when[path] = constraint;
      if (operator in constraint) {
        this.#position = start;
        this.#fail(`"${path}" already has a ${operator} constraint`);
      }
      constraint[operator] = operand;
      this.#skipSpace(true);
      if (this.#accept(/\)/y)) return when;
      if (!this.#accept(/,/y)) this.#fail('expected "," or ")"');
    }
  }

  #parseOperation(): [Operator, unknown] {
    if (this.#accept(/not\s+in\b/y)) return ["nin", this.#parseList()];
    if (this.#accept(/in\b/y)) {
      this.#skipSpace(false);
      if (this.#accept(/@/y))
        return ["inSet", this.#take(/[A-Za-z0-9_.:-]+/y, "a set name after @")];
      return ["in", this.#parseList()];
    }
    if (this.#accept(/startsWith\b/y)) return ["prefix", this.#parseScalar()];
    const symbol = this.#accept(/==|!=|<=|>=|<|>|=/y);
    if (symbol === undefined)
      this.#fail("expected an operator: == != < <= > >= in, not in, startsWith");
    const operator = (
      {
        "==": "eq",
        "=": "eq",
        "!=": "neq",
        "<": "lt",
        "<=": "lte",
        ">": "gt",
        ">=": "gte",
      } as const
    )[symbol as "=="];
    return [operator, this.#parseScalar()];
  }

  #parseList(): unknown[] {
    this.#skipSpace(false);
    if (!this.#accept(/\[/y)) this.#fail('expected a list like [USD, EUR] (or "in @set")');
    const items: unknown[] = [];
    this.#skipSpace(true);
    if (this.#accept(/\]/y)) return items;
    for (;;) {
      this.#skipSpace(true);
      items.push(this.#parseScalar());
      this.#skipSpace(true);
      if (this.#accept(/\]/y)) return items;
      if (!this.#accept(/,/y)) this.#fail('expected "," or "]"');
    }
  }

  #parseScalar(): unknown {
    this.#skipSpace(false);
    const quoted = this.#accept(/"(?:[^"\\\n]|\\.)*"/y);
    if (quoted !== undefined) {
      try {
        return JSON.parse(quoted);
      } catch {
        this.#fail("invalid string escape");
      }
    }
    const number = this.#accept(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_])/y);
    if (number !== undefined) return Number(number);
    const word = this.#take(
      /[A-Za-z_][A-Za-z0-9_\-./:@]*/y,
      'a value: a number, true, false, a word or a "string"',
    );
    if (word === "true" || word === "false") return word === "true";
    if (word === "null") this.#fail("null is not a value a condition can compare with");
    return word;
  }

  #skipSpace(newLines: boolean): void {
    const space = newLines ? /[ \t\r\n]*/y : /[ \t]*/y;
    space.lastIndex = this.#position;
    space.exec(this.#text);
    this.#position = space.lastIndex;
  }

  #accept(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#position;
    const match = pattern.exec(this.#text);
    if (match === null) return undefined;
    this.#position = pattern.lastIndex;
    return match[0];
  }

  #take(pattern: RegExp, expected: string): string {
    const value = this.#accept(pattern);
    if (value === undefined) this.#fail(`expected ${expected}`);
    return value as string;
  }

  #peek(): string | undefined {
    return this.#text[this.#position];
  }

  #done(): boolean {
    return this.#position >= this.#text.length;
  }

  #fail(problem: string): never {
    const line = this.#text.slice(0, this.#position).split("\n").length;
    const column = this.#position - this.#text.lastIndexOf("\n", this.#position - 1);
    throw new WritError("grant.syntax", `Grant text, line ${line} column ${column}: ${problem}.`, {
      line,
      column,
    });
  }
}
