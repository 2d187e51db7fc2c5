import {
  GENESIS_HASH,
  LedgerChainVerifier,
  type LedgerEntry,
  type LedgerRecord,
  sealLedgerEntry,
} from "@writ/core/backend";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryLedgerChain } from "../src/testing/memory-ledger-chain.js";

const text = fc.option(fc.string(), { nil: undefined });
const entry: fc.Arbitrary<LedgerEntry> = fc.record({
  kind: fc.constantFrom("decision", "outcome", "revocation", "admin"),
  time: fc.nat(),
  user: text,
  callId: text,
  chain: fc.option(fc.record({ agents: fc.array(fc.string()), hops: fc.array(fc.string()) }), {
    nil: undefined,
  }),
  reason: text,
  durationMs: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
  detail: fc.option(
    fc.dictionary(
      fc.string(),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
    ),
    { nil: undefined },
  ),
});

/** The chain sealLedgerEntry() gives, each row sealed as it is appended. */
function sealedAtAppend(entries: readonly LedgerEntry[]): LedgerRecord[] {
  const rows: LedgerRecord[] = [];
  for (const [index, appended] of entries.entries()) {
    rows.push(
      sealLedgerEntry(appended, {
        chainId: "memory",
        seq: index + 1,
        id: `id-${index}`,
        prevHash: rows.at(-1)?.hash ?? GENESIS_HASH,
      }),
    );
  }
  return rows;
}

describe("the memory backend's chain, hashed when read", () => {
  it("holds exactly the rows and hashes sealing at append gives, whichever row is read first", () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), fc.nat(), (entries, first) => {
        const chain = new MemoryLedgerChain("memory");
        const appended = entries.map((each, index) => chain.append(each, `id-${index}`));
        expect(appended).toEqual(chain.rows);
        // Reading any row's hash first hashes the rows before it too.
        expect(chain.rows[first % entries.length]?.hash).toMatch(/^[0-9a-f]{64}$/);
        const expected = sealedAtAppend(entries);
        expect(chain.rows.map((row) => ({ ...row }))).toEqual(expected);
        // As an export writes them.
        expect(JSON.parse(JSON.stringify(chain.rows))).toEqual(
          JSON.parse(JSON.stringify(expected)),
        );
        const verifier = new LedgerChainVerifier();
        for (const row of chain.rows) expect(verifier.push(row)).toBeUndefined();
      }),
    );
  });

  it("fixes a row as it is appended: a detail changed afterwards changes neither the row nor its hash", () => {
    const detail: Record<string, string> = { target: "hop" };
    const chain = new MemoryLedgerChain("memory");
    chain.append({ kind: "revocation", time: 1, detail }, "id-0");
    detail.target = "agent";
    const [row] = sealedAtAppend([{ kind: "revocation", time: 1, detail: { target: "hop" } }]);
    expect({ ...chain.rows[0] }).toEqual(row);
  });

  it("hashes each row at its place in the chain, even when its seq is overwritten afterwards", () => {
    const entries: LedgerEntry[] = [1, 2, 3].map((time) => ({ kind: "admin", time }));
    const chain = new MemoryLedgerChain("memory");
    for (const [index, each] of entries.entries()) chain.append(each, `id-${index}`);
    const [first, second, third] = chain.rows as [LedgerRecord, LedgerRecord, LedgerRecord];
    (second as { seq: number }).seq = 3;
    // The overwritten row hashes as it now reads, in its own place: the chain still links.
    expect(first.hash).toBe(sealedAtAppend(entries)[0]?.hash);
    expect(second.prevHash).toBe(first.hash);
    expect(third.prevHash).toBe(second.hash);
    expect(second.hash).not.toBe(third.hash);
  });
});
