import {
  canonicalJson,
  GENESIS_HASH,
  ledgerRecordHash,
  sealLedgerEntry,
  sha256Hex,
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
          durationMs: fc.option(fc.nat(), { nil: undefined }),
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
          expect(ledgerRecordHash({ ...unsealed, extra: "member" } as typeof unsealed)).toBe(
            sha256Hex(canonicalJson({ ...unsealed, extra: "member" })),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
