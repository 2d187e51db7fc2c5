import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../src/bounded-cache.js";

/** The rule as written: past the capacity, the entry set longest ago (and not deleted since) goes. */
class ReferenceCache {
  readonly entries = new Map<number, number>();
  constructor(readonly capacity: number) {}
  set(key: number, value: number): void {
    if (this.entries.size >= this.capacity && !this.entries.has(key))
      this.entries.delete(this.entries.keys().next().value as number);
    this.entries.set(key, value);
  }
}

const operation = fc.oneof(
  fc.record({ op: fc.constant("set" as const), key: fc.nat(12), value: fc.integer() }),
  fc.record({ op: fc.constant("delete" as const), key: fc.nat(12) }),
);

describe("a bounded cache", () => {
  it("forgets exactly the oldest entries, whatever was set, set again and deleted before", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(operation, { maxLength: 200 }),
        (capacity, operations) => {
          const cache = new BoundedCache<number, number>(capacity);
          const reference = new ReferenceCache(capacity);
          for (const step of operations) {
            if (step.op === "set") {
              cache.set(step.key, step.value);
              reference.set(step.key, step.value);
            } else {
              expect(cache.delete(step.key)).toBe(reference.entries.delete(step.key));
            }
            expect(cache.size).toBe(reference.entries.size);
            for (let key = 0; key <= 12; key++)
              expect(cache.get(key)).toBe(reference.entries.get(key));
          }
        },
      ),
    );
  });

  it("holds its capacity through a long run of fresh keys, the newest kept", () => {
    const cache = new BoundedCache<string, number>(1000);
    for (let serial = 0; serial < 50_000; serial++) cache.set(`key-${serial}`, serial);
    expect(cache.size).toBe(1000);
    expect(cache.get("key-48999")).toBeUndefined();
    expect(cache.get("key-49000")).toBe(49_000);
    expect(cache.get("key-49999")).toBe(49_999);
  });
});
