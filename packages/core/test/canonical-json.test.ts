import { argumentsHash, canonicalJson, sha256Base64Url } from "@writ/core/backend";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** The definition, spelled out: members sorted by the default sort, values as JSON writes them. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const members = value as Record<string, unknown>;
  return `{${Object.keys(members)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${reference(members[key])}`)
    .join(",")}}`;
}

describe("canonicalJson (RFC 8785)", () => {
  it("serializes the RFC 8785 §3.2.2 sample exactly", () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts members by UTF-16 code units, as RFC 8785 §3.2.3 does", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    // Read the order off the text: parsing back would let JS put "1" first.
    const order = [...canonicalJson(input).matchAll(/:"([^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual([
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
  });

  it("orders the members of small and large objects alike, and repeats the same text", () => {
    const wideObject = fc.dictionary(fc.string({ unit: "binary", maxLength: 4 }), fc.integer(), {
      minKeys: 10,
      maxKeys: 40,
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), wideObject), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
        expect(canonicalJson(value)).toBe(reference(value));
      }),
    );
  });

  it("writes objects that follow one another by their own keys, never by the previous object's", () => {
    // Objects of one shape reuse a member order: each of these differs from the last in one way.
    const rows = [
      { a: 1, b: 2 },
      { a: 1, c: 2 },
      { c: 1, a: 2 },
      { b: 1, a: 2 },
      { a: 1, b: 2, c: 3 },
      { a: 1 },
      {},
      { a: undefined, b: 2 },
      { a: 1, b: 2 },
    ];
    expect(canonicalJson(rows)).toBe(
      '[{"a":1,"b":2},{"a":1,"c":2},{"a":2,"c":1},{"a":2,"b":1},{"a":1,"b":2,"c":3},{"a":1},{},{"b":2},{"a":1,"b":2}]',
    );
  });

  it("orders numeric-like and __proto__ keys by code units, and escapes names, each time", () => {
    // JS lists integer-like keys first, in numeric order; RFC 8785 sorts them as strings.
    const tricky = JSON.parse('{"b":1,"__proto__":2,"10":3,"2":4,"a\\"b":5,"\\n":6,"\u00e9":7}');
    const text = '{"\\n":6,"10":3,"2":4,"__proto__":2,"a\\"b":5,"b":1,"\u00e9":7}';
    expect(canonicalJson(tricky)).toBe(text);
    expect(canonicalJson([tricky, tricky, { ...tricky }])).toBe(`[${text},${text},${text}]`);
  });

  it("writes many shapes in turn, and wide objects, as the definition does", () => {
    const shapes = Array.from({ length: 20 }, (_, shape) =>
      Object.fromEntries(
        Array.from({ length: 1 + (shape % 5) }, (_, at) => [`k${(shape * 7 + at * 3) % 11}`, at]),
      ),
    );
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, at) => [`w${at}`, at]));
    const values = [...shapes, ...shapes.toReversed(), wide, wide, ...shapes];
    expect(canonicalJson(values)).toBe(`[${values.map(reference).join(",")}]`);
    const rowsOfFewKeys = fc.array(
      fc.dictionary(fc.constantFrom("a", "b", "c", "10", "2", "__proto__"), fc.integer(), {
        maxKeys: 4,
      }),
    );
    fc.assert(
      fc.property(rowsOfFewKeys, (rows) => {
        expect(canonicalJson(rows)).toBe(reference(rows));
      }),
    );
  });

  it("omits undefined members and honours toJSON, like JSON", () => {
    expect(canonicalJson({ b: undefined, a: new Date(0) })).toBe(
      '{"a":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a bigint", 1n],
    ["a lone surrogate", "\ud800"],
    ["undefined in an array", [undefined]],
  ])("refuses %s instead of rewriting it, in an object too", (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
    expect(() => canonicalJson([{ a: 1 }, { a: value }])).toThrow(TypeError);
  });

  it.each([
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
  ])("refuses %s, even where JSON would drop it", (_name, value) => {
    expect(() => canonicalJson({ a: value })).toThrow(TypeError);
    expect(() => canonicalJson([value])).toThrow(TypeError);
  });

  it("refuses a member name that is a lone surrogate", () => {
    expect(() => canonicalJson({ "\udc00": 1 })).toThrow(/lone surrogate/);
  });

  it("refuses cycles, however deep, and writes a value repeated side by side", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
    const nested = (depth: number, innermost: unknown): unknown =>
      depth === 0 ? innermost : { inner: nested(depth - 1, innermost) };
    for (const depth of [5, 100]) {
      const root: Record<string, unknown> = {};
      root.deep = nested(depth, root);
      expect(() => canonicalJson(root)).toThrow(/cyclic/);
      const deep: Record<string, unknown> = {};
      deep.back = { ...(nested(depth, {}) as object), loop: deep };
      expect(() => canonicalJson(nested(depth, deep))).toThrow(/cyclic/);
    }
    const shared = { a: 1 };
    expect(canonicalJson([shared, shared, nested(50, shared)])).toBe(
      `[{"a":1},{"a":1},${'{"inner":'.repeat(50)}{"a":1}${"}".repeat(50)}]`,
    );
  });
});

describe("argumentsHash", () => {
  it("hashes exactly the canonical text, however many chunks it is streamed in", () => {
    const large = {
      rows: Array.from({ length: 3000 }, (_, index) => ({
        id: `row-${index}`,
        note: index % 7 === 0 ? 'quote " backslash \\ newline \n € 😀' : "plain €",
        amount: index / 3,
      })),
    };
    for (const args of [{}, { amount: 49 }, large, [1, "two", null, true]]) {
      expect(argumentsHash(args)).toBe(sha256Base64Url(canonicalJson(args)));
    }
  });
});
