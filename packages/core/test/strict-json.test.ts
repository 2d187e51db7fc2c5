import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStrictJson } from "../src/encoding/strict-json.js";

describe("parseStrictJson", () => {
  it.each([
    ['{"a":1,"a":2}', "a name twice"],
    ['{"a":1,"\\u0061":2}', "a name twice, once escaped"],
    ['{"a":"{","a":1}', "a name twice beside a brace in a string"],
    ['{"a":{"b":1,"b":2}}', "a name twice in a nested object"],
    ['[1,{"a":1,"a":1}]', "a name twice in an object in an array"],
    ["{", "no JSON"],
  ])("refuses %s (%s)", (text) => {
    expect(parseStrictJson(text)).toBeUndefined();
  });

  it.each([
    ['{"a":1}', { a: 1 }],
    [' {"a":"x,\\"y","b":2} ', { a: 'x,"y', b: 2 }],
    ['{"a":[1,2],"b":{"a":1}}', { a: [1, 2], b: { a: 1 } }],
    ["{}", {}],
    ["[1]", [1]],
  ])("parses %s", (text, value) => {
    expect(parseStrictJson(text)).toEqual(value);
  });

  it("refuses a flat object exactly when a name repeats", () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), scalar, { minKeys: 1 }),
        fc.boolean(),
        (object, repeat) => {
          const members = Object.entries(object).map(
            ([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`,
          );
          if (repeat) members.push(members[0] as string);
          expect(parseStrictJson(`{${members.join(",")}}`) === undefined).toBe(repeat);
        },
      ),
    );
  });
});
