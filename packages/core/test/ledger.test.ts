import {
  canonicalJson,
  GENESIS_HASH,
  LedgerChainVerifier,
  ledgerRecordHash,
  sealLedgerEntry,
  sha256Hex,
  storedChainJson,
  storedLedgerRowHash,
} from "@writ/core/backend";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("ledger record hashes", () => {
  it("are SHA-256 over the canonical JSON of the row without its hash, whatever the row holds", () => {
    const text = fc.option(fc.string(), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom("decision", "outcome", "approval"),
          time: fc.nat(),
          tenant: text,
          callId: text,
          user: text,
          agent: text,
          chain: fc.option(
            fc.record({ agents: fc.array(fc.string()), hops: fc.array(fc.string()) }),
            { nil: undefined },
          ),
          action: text,
          reason: text,
          durationMs: fc.option(
            fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
            {
              nil: undefined,
            },
          ),
          detail: fc.option(
            fc.dictionary(
              fc.string(),
              fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
            ),
            {
              nil: undefined,
            },
          ),
        }),
        fc.nat(),
        (entry, seq) => {
          const record = sealLedgerEntry(entry, {
            chainId: "c",
            seq: seq + 1,
            id: "id",
            prevHash: GENESIS_HASH,
          });
          const { hash, ...unsealed } = record;
          expect(hash).toBe(sha256Hex(canonicalJson(unsealed)));
          // As a store keeps it: the chain and detail as JSON text (detail in insertion order).
          const { chain, detail, ...columns } = record;
          const stored = {
            ...columns,
            chainJson: chain === null ? null : storedChainJson(chain),
            detailJson: detail === null ? null : JSON.stringify(detail),
          };
          expect(storedLedgerRowHash(stored)).toBe(hash);
          expect(ledgerRecordHash({ ...unsealed, extra: "member" } as typeof unsealed)).toBe(
            sha256Hex(canonicalJson({ ...unsealed, extra: "member" })),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("sealed rows", () => {
  it("hold a frozen chain as it is and hash it as a copied one", () => {
    const agents = Object.freeze(["planner", "worker"]);
    const hops = Object.freeze(["h1", "h2"]);
    const at = { chainId: "c", seq: 1, id: "id", prevHash: GENESIS_HASH };
    const frozen = sealLedgerEntry({ kind: "decision", time: 1, chain: { agents, hops } }, at);
    const copied = sealLedgerEntry(
      { kind: "decision", time: 1, chain: { agents: [...agents], hops: [...hops] } },
      at,
    );
    expect(frozen.chain?.agents).toBe(agents);
    expect(frozen.hash).toBe(copied.hash);
    expect(sealLedgerEntry({ kind: "decision", time: 1, chain: { agents, hops } }, at).hash).toBe(
      ledgerRecordHash(frozen),
    );
  });
});

describe("a stored chain's text", () => {
  it("is the chain's canonical JSON, whether frozen, copied, repeated or changed", () => {
    const texts = [
      { agents: Object.freeze(["planner", "worker"]), hops: Object.freeze(["h1", "h2"]) },
      { agents: ["planner", "worker"], hops: ["h1", "h2"] },
      { agents: ["planner", "worker"], hops: ["h1", "h2"] },
      { agents: ["planner", "worker"], hops: ["h1", "h3"] },
      { agents: ["planner"], hops: ["h1"] },
      { agents: ["planner", "worker"], hops: ["h1", "h2"], extra: "left out" },
    ].map((chain) => [
      storedChainJson(chain),
      canonicalJson({ agents: chain.agents, hops: chain.hops }),
    ]);
    for (const [stored, canonical] of texts) expect(stored).toBe(canonical);
    expect(new Set(texts.map(([stored]) => stored)).size).toBe(3);
  });

  it("follows a chain whose arrays change after it was written", () => {
    const hops = ["h1"];
    expect(storedChainJson({ agents: ["a"], hops })).toBe('{"agents":["a"],"hops":["h1"]}');
    hops.push("h2");
    expect(storedChainJson({ agents: ["a"], hops })).toBe('{"agents":["a"],"hops":["h1","h2"]}');
  });
});

describe("stored ledger rows", () => {
  const record = sealLedgerEntry(
    {
      kind: "admin",
      time: 5,
      chain: { agents: ["a"], hops: ["h"] },
      detail: { z: 1, a: "é ✓", m: null },
    },
    { chainId: "c", seq: 1, id: "id", prevHash: GENESIS_HASH },
  );
  const stored = {
    ...record,
    chainJson: JSON.stringify(record.chain),
    detailJson: '{"z":1,"a":"é ✓","m":null}',
  };

  it("hash from their columns as the record does, whatever order the detail was written in", () => {
    expect(storedLedgerRowHash(stored)).toBe(record.hash);
    expect(new LedgerChainVerifier().pushStored(stored)).toBeUndefined();
  });

  it("break on any change to the stored bytes of the chain, and on a detail that is not JSON", () => {
    expect(storedLedgerRowHash({ ...stored, chainJson: '{"hops":["h"],"agents":["a"]}' })).not.toBe(
      record.hash,
    );
    expect(() => storedLedgerRowHash({ ...stored, detailJson: "{" })).toThrow();
    expect(new LedgerChainVerifier().pushStored({ ...stored, detailJson: "{" })).toMatchObject({
      problem: "hash_mismatch",
    });
  });
});
