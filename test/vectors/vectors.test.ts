import { readFileSync } from "node:fs";
import { createGuard, type Decision, issuerKeysFromJwks, type RevocationKind } from "@writ/core";
import { fixedClock, MemoryBackend, seededRandom } from "@writ/core/testing";
import { describe, expect, it } from "vitest";
import { generateVectors, VECTOR_FILE, type VectorFile, type VectorStep } from "./generate.js";

const file = JSON.parse(readFileSync(VECTOR_FILE, "utf8")) as VectorFile;

/** Numbers JSON cannot carry (NaN, integers past 2^53) are stored as { "$number": "…" }. */
function decodeSpecialNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeSpecialNumbers);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (Object.keys(record).length === 1 && typeof record.$number === "string")
      return Number(record.$number);
    return Object.fromEntries(
      Object.entries(record).map(([key, member]) => [key, decodeSpecialNumbers(member)]),
    );
  }
  return value;
}

async function vectorGuard(
  clock: ReturnType<typeof fixedClock>,
  revocations: readonly { kind: string; id: string }[] = [],
) {
  const { world } = file;
  const backend = new MemoryBackend({ clock, random: seededRandom("vector-run") });
  for (const user of world.users) backend.putUser({ ...user, tenant: "acme" });
  for (const agent of world.agents) backend.putAgent({ ...agent, tenant: "acme" });
  for (const { kind, id } of revocations) await backend.revoke(kind as RevocationKind, id);
  const guard = await createGuard({
    backend,
    issuer: issuerKeysFromJwks(
      world.issuer,
      world.jwks as Parameters<typeof issuerKeysFromJwks>[1],
    ),
    audience: world.audience,
    clock,
    sets: {
      "crm.contacts": (value) => world.sets["crm.contacts"]?.includes(String(value)) ?? false,
    },
  });
  return guard;
}

describe("writ and proof vectors", () => {
  it("are what the generator produces (regenerate deliberately with `pnpm vectors`)", () => {
    expect(generateVectors()).toEqual(file);
  });

  it("cover every attack DESIGN §9 lists for tokens and grants", () => {
    const attacks = new Set(file.vectors.map((vector) => vector.attack));
    for (const attack of [
      "alg none",
      "alg HS",
      "alg swap",
      "type confusion",
      "kid injection",
      "jku injection",
      "jwk injection",
      "byte flips",
      "hop reorder",
      "hop drop",
      "hop insert",
      "cross-user splicing",
      "escalation at delegation",
      "stolen writ",
      "proof replay",
      "proof for other args",
      "proof for other tool",
      "proof for other audience",
      "expiry at every level",
      "depth",
      "oversized input",
      "revocation of each kind",
      "condition edges",
      "set values smuggled in a token",
      "duplicate JSON keys",
      "approval replay",
      // Found by attacking Writ from outside (issue 13).
      "jwk members",
      "jti reuse",
      "prefix escape",
    ]) {
      expect(attacks, attack).toContain(attack);
    }
    expect(file.vectors.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(file.vectors.map((vector) => [vector.name, vector] as const))(
    "%s",
    (_name, vector) => {
      it(`${vector.description}`, async () => {
        const clock = fixedClock(file.world.now);
        const guard = await vectorGuard(clock, vector.revocations);
        const decisions: Decision[] = [];
        for (const step of vector.steps) {
          if ("decideApproval" in step) {
            const earlier = decisions[step.decideApproval.from];
            await guard.decideApproval(earlier?.approvalId as string, {
              approved: step.decideApproval.approved,
              by: "vector-runner",
            });
            decisions.push(earlier as Decision);
            continue;
          }
          const { call, expect: code, hop, approvalFrom, at } = step as VectorStep;
          clock.set(at ?? file.world.now);
          const approvalId =
            approvalFrom === undefined ? undefined : decisions[approvalFrom]?.approvalId;
          const decision = await guard.authorize({
            ...call,
            args: decodeSpecialNumbers(call.args),
            ...(approvalId === undefined ? {} : { approvalId }),
          });
          expect(decision.code).toBe(code);
          if (hop !== undefined) expect(decision.hop).toBe(hop);
          if (code !== "granted" && code !== "approval.granted")
            expect(decision.effect).not.toBe("allow");
          decisions.push(decision);
        }
      });
    },
  );
});
