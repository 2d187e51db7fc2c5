/**
 * Random mutations of valid writs, proofs and grant JSON: the guard never
 * allows a mutated call, nothing crashes, and every refusal carries a code.
 * CI runs a bounded number; WRIT_FUZZ_ITERATIONS=100000 runs the full campaign.
 */
import {
  createAgentIdentity,
  createGuard,
  IssuerKeySet,
  issueWrit,
  parseGrants,
  parseGrantText,
  Session,
  WritError,
} from "@writ/core";
import { fixedClock, MemoryBackend } from "@writ/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const ITERATIONS = Number(process.env.WRIT_FUZZ_ITERATIONS ?? 20_000);
const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~=+/ {}\"',:[]\\\u0000\u00e9";

type Mutation = (text: string, random: () => number) => string;

const pick = <T>(items: readonly T[], random: () => number) =>
  items[Math.floor(random() * items.length)] as T;
const position = (text: string, random: () => number) => Math.floor(random() * text.length);

const MUTATIONS: readonly Mutation[] = [
  (text, random) => {
    const at = position(text, random);
    return `${text.slice(0, at)}${pick([...ALPHABET], random)}${text.slice(at + 1)}`;
  },
  (text, random) => {
    const at = position(text, random);
    return `${text.slice(0, at)}${pick([...ALPHABET], random)}${text.slice(at)}`;
  },
  (text, random) => {
    const at = position(text, random);
    return `${text.slice(0, at)}${text.slice(at + 1 + Math.floor(random() * 8))}`;
  },
  (text, random) => text.slice(0, position(text, random)),
  (text, random) => {
    const separator = pick(["~", "."], random);
    const parts = text.split(separator);
    const a = Math.floor(random() * parts.length);
    const b = Math.floor(random() * parts.length);
    [parts[a], parts[b]] = [parts[b] as string, parts[a] as string];
    return parts.join(separator);
  },
  (text, random) => {
    const parts = text.split("~");
    parts.splice(Math.floor(random() * parts.length), 0, pick(parts, random));
    return parts.join("~");
  },
  // Re-encode a JSON part after changing one value: a well-formed token with a stale signature.
  (text, random) => {
    const hops = text.split("~");
    const index = Math.floor(random() * hops.length);
    const [header, payload, signature] = (hops[index] as string).split(".");
    try {
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
      const key = pick(Object.keys(claims), random);
      claims[key] = pick(
        [0, -1, 2 ** 53 + 2, "alice", "*", null, [], {}, [{ action: "*" }], 1e308],
        random,
      );
      hops[index] =
        `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    } catch {
      return `${text}x`;
    }
    return hops.join("~");
  },
];

async function fuzzWorld() {
  const clock = fixedClock(Date.UTC(2026, 0, 1, 9));
  const issuer = IssuerKeySet.generate("writ:fuzz");
  const [planner, worker, sub] = ["planner", "worker", "sub"].map((id) =>
    createAgentIdentity(id),
  ) as [
    ReturnType<typeof createAgentIdentity>,
    ReturnType<typeof createAgentIdentity>,
    ReturnType<typeof createAgentIdentity>,
  ];
  const backend = new MemoryBackend({ clock });
  backend.putUser({ id: "alice", permissions: "refunds.*(amount < 10000)" });
  for (const agent of [planner, worker, sub])
    backend.putAgent({ id: agent.id, policy: "refunds.*", keys: [agent] });
  const guard = await createGuard({
    backend,
    issuer,
    audience: "urn:writ:fuzz",
    clock,
    replayCacheSize: 4 * ITERATIONS,
  });
  const session = new Session(
    planner,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: "refunds.*(amount < 10000)" },
      agent: { ...planner, policy: "refunds.*" },
      clock,
    }),
    { clock },
  )
    .delegate(worker, { grants: "refunds.approve(amount < 1000)" })
    .delegate(sub, { grants: "refunds.approve(amount < 100)" });
  return { guard, session };
}

describe("fuzzing", () => {
  it(`never allows, never crashes, on ${ITERATIONS.toLocaleString("en-US")} mutated writs and proofs`, async () => {
    const { guard, session } = await fuzzWorld();
    const input = { action: "refunds.approve", tool: "approve_refund", args: { amount: 50 } };
    const template = guard.callFrom(session, input);
    expect((await guard.authorize(template)).effect).toBe("allow");
    let seed = 0x9e3779b9;
    const random = () => {
      // xorshift32: reproducible across runs without fast-check's overhead per case.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const codes = new Map<string, number>();
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const call = guard.callFrom(session, input);
      const target = random() < 0.6 ? "writ" : "proof";
      const mutated = pick(MUTATIONS, random)(call[target], random);
      if (mutated === call[target]) continue;
      const decision = await guard.authorize({ ...call, [target]: mutated });
      expect(decision.effect, `${target} mutated to ${mutated.slice(0, 80)}…`).toBe("deny");
      expect(decision.code).toMatch(/^[a-z_]+\.[a-z_]+$/);
      codes.set(decision.code, (codes.get(decision.code) ?? 0) + 1);
    }
    expect(codes.has("guard.internal"), "no mutation reaches an unexpected failure").toBe(false);
    expect(codes.size).toBeGreaterThan(8);
  }, 120_000);

  it("grant JSON either validates or fails with a WritError code, never anything else", () => {
    const jsonish = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(
          "refunds.approve",
          "email.*",
          "*",
          "lt",
          "inSet",
          "amount",
          "__proto__",
          "",
          "a..b",
        ),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(
          fc.constantFrom(
            "action",
            "when",
            "approval",
            "amount",
            "lt",
            "in",
            "eq",
            "prefix",
            "inSet",
            "x",
          ),
          tie("value"),
          { maxKeys: 4 },
        ),
      ),
    })).value;
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.array(jsonish, { maxLength: 3 })), (input) => {
        try {
          const grants = parseGrants(input);
          expect(Array.isArray(grants)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(WritError);
          expect((error as WritError).code).toBe("grant.invalid");
        }
      }),
      { numRuns: Math.min(ITERATIONS, 20_000) },
    );
  });

  it("grant text either parses or fails with grant.syntax / grant.invalid", () => {
    const base =
      "refunds.approve(amount < 5000, currency in [USD, EUR]); email.send(to in @crm.contacts) needs approval";
    fc.assert(
      fc.property(fc.nat(base.length), fc.constantFrom(...ALPHABET), (at, char) => {
        const text = `${base.slice(0, at)}${char}${base.slice(at + 1)}`;
        try {
          parseGrantText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(WritError);
          expect(["grant.syntax", "grant.invalid"]).toContain((error as WritError).code);
        }
      }),
      { numRuns: Math.min(ITERATIONS, 10_000) },
    );
  });
});
