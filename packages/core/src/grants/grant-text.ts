import { WritError } from "../errors.js";
import { type Grant, OPERATORS, type Operator, type Scalar } from "./grant.js";
import { parseGrants } from "./validate-grants.js";

/**
 * The compact text form of grants, for people and the CLI:
 *
 *   refunds.approve(amount < 5000, currency in [USD, EUR])
 *   email.send(to in @crm.contacts)
 *   refunds.approve(amount >= 5000) needs approval
 *
 * Operators: == != < <= > >= in [..] "not in" [..] startsWith "in @set".
 * Strings may be bare words (letters first) or JSON strings; "49" stays a string.
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
  return `${grant.action}${condition}${grant.approval ? " needs approval" : ""}`;
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
    this.#skipSpace(false);
    if (this.#accept(/needs\s+approval\b/y)) grant.approval = "human";
    return grant;
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
