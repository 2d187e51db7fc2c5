import { readFileSync } from "node:fs";
import {
  createAgentIdentity,
  IssuerKeySet,
  importPublicKey,
  issuerKeysFromJwks,
  issueWrit,
  Session,
} from "@writ/core";
import { WritVerifier } from "@writ/core/backend";
import { fixedClock } from "@writ/core/testing";
import fc from "fast-check";
import { compactVerify, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { VECTOR_FILE, type VectorFile, type VectorStep } from "../vectors/generate.js";

/** Verifies one hop with plain jose, using the key Writ would use for it. */
async function joseAccepts(
  hop: string,
  index: number,
  issuerJwks: IssuerKeySet | ReturnType<typeof issuerKeysFromJwks>,
): Promise<boolean> {
  try {
    const header = decodeProtectedHeader(hop);
    const key =
      index === 0
        ? issuerJwks.publicKey(String(header.kid))
        : importPublicKey({ kty: "OKP", crv: "Ed25519", x: (header.jwk as { x: string }).x });
    if (!key) return false;
    await compactVerify(hop, key.keyObject, { algorithms: ["EdDSA"] });
    return true;
  } catch {
    return false;
  }
}

function writ3() {
  const clock = fixedClock();
  const issuer = IssuerKeySet.generate("writ:interop");
  const [planner, worker, sub] = ["planner", "worker", "sub"].map((id) =>
    createAgentIdentity(id),
  ) as [
    ReturnType<typeof createAgentIdentity>,
    ReturnType<typeof createAgentIdentity>,
    ReturnType<typeof createAgentIdentity>,
  ];
  const root = new Session(
    planner,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: "refunds.*" },
      agent: { ...planner, policy: "refunds.*" },
      clock,
    }),
    { clock },
  );
  const leaf = root
    .delegate(worker, { grants: "refunds.approve(amount < 100)" })
    .delegate(sub, { grants: "refunds.approve(amount < 10)" });
  return { clock, issuer, leaf };
}

describe("interoperability with jose", () => {
  it("every hop and proof Writ produces verifies with plain jose compactVerify", async () => {
    const { issuer, leaf } = writ3();
    const hops = leaf.writ.toString().split("~");
    for (const [index, hop] of hops.entries()) {
      expect(await joseAccepts(hop, index, issuer)).toBe(true);
      const { protectedHeader } = await compactVerify(
        hop,
        (index === 0
          ? issuer.active.key.publicKey
          : importPublicKey(decodeProtectedHeader(hop).jwk)
        ).keyObject,
      );
      expect(protectedHeader.typ).toBe("writ+jwt");
    }
    const proof = leaf.prove({
      audience: "urn:x",
      action: "refunds.approve",
      tool: "t",
      args: { amount: 1 },
    });
    const { protectedHeader, payload } = await compactVerify(
      proof,
      leaf.agent.key.publicKey.keyObject,
      { algorithms: ["EdDSA"] },
    );
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "writ-call+jwt" });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      act: "refunds.approve",
      tool: "t",
      aud: "urn:x",
    });
  });

  it("Writ rejects every vector hop jose rejects, and jose accepts every hop of every writ Writ accepts", async () => {
    const file = JSON.parse(readFileSync(VECTOR_FILE, "utf8")) as VectorFile;
    const trusted = issuerKeysFromJwks(
      file.world.issuer,
      file.world.jwks as Parameters<typeof issuerKeysFromJwks>[1],
    );
    const verifier = new WritVerifier({ issuer: trusted });
    let compared = 0;
    for (const vector of file.vectors) {
      for (const step of vector.steps) {
        if (!("call" in step)) continue;
        const { writ } = (step as VectorStep).call;
        let writAccepts = true;
        try {
          verifier.verify(writ, file.world.now);
        } catch {
          writAccepts = false;
        }
        const hops = writ.split("~");
        if (hops.length > 8 || writ.length > 16 * 1024) continue; // refused on size alone, before any parsing
        const joseVerdicts = await Promise.all(
          hops.map((hop, index) => joseAccepts(hop, index, trusted)),
        );
        if (writAccepts) expect(joseVerdicts, vector.name).not.toContain(false);
        if (joseVerdicts.includes(false)) expect(writAccepts, vector.name).toBe(false);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("random byte mutations that Writ accepts, jose accepts too", async () => {
    const { issuer, leaf, clock } = writ3();
    const verifier = new WritVerifier({ issuer });
    const original = leaf.writ.toString();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(original.length - 1),
        fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"),
        async (position, char) => {
          const mutated = `${original.slice(0, position)}${char}${original.slice(position + 1)}`;
          let accepted = true;
          try {
            verifier.verify(mutated, clock());
          } catch (error) {
            accepted = false;
            expect(error).toHaveProperty("code");
          }
          if (accepted) {
            const verdicts = await Promise.all(
              mutated.split("~").map((hop, index) => joseAccepts(hop, index, issuer)),
            );
            expect(verdicts).not.toContain(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
