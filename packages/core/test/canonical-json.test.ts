import { argumentsHash, canonicalJson, sha256Base64Url } from "@writ/core/backend";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

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
    // The definition, spelled out: members sorted by the default sort, values as JSON writes them.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
      if (value === null || typeof value !== "object") return JSON.stringify(value);
      const members = value as Record<string, unknown>;
      return `{${Object.keys(members)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${reference(members[key])}`)
        .join(",")}}`;
    };
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
  ])("refuses %s instead of rewriting it", (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
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
