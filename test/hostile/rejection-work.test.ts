/**
 * Refusing a hostile writ or proof does no more work than reading a real one
 * (timings live in bench/: "refuse a hostile writ"). What a test can check is
 * the work itself: a string of 16 KiB of separators is never split into
 * thousands of pieces before the hop bound refuses it.
 */
import {
  createAgentIdentity,
  IssuerKeySet,
  issueWrit,
  Session,
  WRIT_LIMITS,
  WritError,
} from "@writ/core";
import { ProofVerifier, WritVerifier } from "@writ/core/backend";
import { describe, expect, it, vi } from "vitest";

/** The most pieces any String.prototype.split call produced while `work` ran. */
function mostPiecesSplit(work: () => void): number {
  const split = vi.spyOn(String.prototype, "split");
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(WritError);
  }
  const pieces = split.mock.results.map((result) =>
    result.type === "return" && Array.isArray(result.value) ? result.value.length : 0,
  );
  split.mockRestore();
  expect(pieces.length, "the refusal splits something").toBeGreaterThan(0);
  return Math.max(...pieces);
}

describe("refusing hostile input", () => {
  const issuer = IssuerKeySet.generate("writ:work");
  const agent = createAgentIdentity("planner");
  const session = new Session(
    agent,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: "docs.read" },
      agent: { ...agent, policy: "docs.read" },
    }),
  );

  it.each([
    ["16 KiB of hop separators", "~".repeat(WRIT_LIMITS.bytes), "writ.too_many_hops"],
    ["16 KiB of dots", ".".repeat(WRIT_LIMITS.bytes), "writ.malformed"],
    ["separators and dots", ".~".repeat(WRIT_LIMITS.bytes / 2), "writ.too_many_hops"],
    [
      "8 hops of dots",
      Array.from({ length: 8 }, () => ".".repeat(2000)).join("~"),
      "writ.malformed",
    ],
  ])("stops splitting a writ of %s at the bounds", (_shape, writ, code) => {
    const verifier = new WritVerifier({ issuer });
    expect(() => verifier.verify(writ, Date.now())).toThrow(expect.objectContaining({ code }));
    expect(mostPiecesSplit(() => verifier.verify(writ, Date.now()))).toBeLessThanOrEqual(
      WRIT_LIMITS.hops + 1,
    );
  });

  it("stops splitting a proof of dots at the three parts a compact JWS has", () => {
    const proofs = new ProofVerifier({ audience: "urn:writ:work" });
    const proof = ".".repeat(WRIT_LIMITS.proofBytes);
    const expectation = {
      action: "docs.read",
      tool: "read",
      argsHash: "x",
      leaf: session.writ.leaf,
      writ: session.writ.toString(),
    };
    expect(() => proofs.verify(proof, expectation, Date.now())).toThrow(
      expect.objectContaining({ code: "proof.malformed" }),
    );
    expect(
      mostPiecesSplit(() => proofs.verify(proof, expectation, Date.now())),
    ).toBeLessThanOrEqual(4);
  });
});
