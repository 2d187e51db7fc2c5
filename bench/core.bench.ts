/**
 * @writ/core on its own: grant evaluation, writ verification cold and warm by
 * depth, proof sign + verify, and the guard on the in-memory backend, beside
 * raw node:crypto Ed25519 measured in the same run (the floor).
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import {
  createAgentIdentity,
  createGuard,
  IssuerKeySet,
  issueWrit,
  parseGrantText,
  Session,
} from "@writ/core";
import { argumentsHash, ProofVerifier, WritVerifier } from "@writ/core/backend";
import { MemoryBackend } from "@writ/core/testing";
// Not exported: the built module, as the rest of Writ here (what users run).
import { CompiledGrants } from "../packages/core/dist/grants/compiled-grants.js";
import { measure, measureSync, median, p99 } from "./measure.js";
import type { BenchResult } from "./result.js";

const GROUP = "core";

/** A session `depth` hops deep (1 = the root), with the same grants on every hop (default: ten conditional ones). */
export function chain(depth: number, grants = tenGrants()) {
  const issuer = IssuerKeySet.generate("writ:bench");
  const agents = Array.from({ length: depth }, (_, index) => createAgentIdentity(`agent-${index}`));
  const first = agents[0] as (typeof agents)[number];
  let session = new Session(
    first,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: grants },
      agent: { ...first, policy: grants },
      maxDepth: 7,
      ttl: 3600,
    }),
  );
  for (const agent of agents.slice(1)) session = session.delegate(agent, { grants });
  return { issuer, session, agents, grants };
}

/** Ten grants whose last one permits the benchmark call, so evaluation walks them all. */
function tenGrants() {
  return parseGrantText(
    [
      ...Array.from(
        { length: 9 },
        (_, index) => `svc${index}.act(amount < 5000, currency in [USD, EUR], region == eu)`,
      ),
      "refunds.approve(amount < 5000, currency in [USD, EUR], note startsWith ok)",
    ].join("; "),
  );
}

const CALL = {
  action: "refunds.approve",
  tool: "approve_refund",
  args: { amount: 49, currency: "USD", note: "ok: customer" },
};

export async function runCoreBenchmarks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const add = (result: BenchResult) => results.push(result);

  // Floor: one Ed25519 sign + one verify with node:crypto.
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const message = Buffer.alloc(300, 7);
  const signature = sign(null, message, privateKey);
  const floor = measureSync(
    () => verify(null, message, publicKey, sign(null, message, privateKey)),
    { samples: 3000 },
  );
  add({
    group: GROUP,
    name: "node:crypto Ed25519 sign+verify (floor)",
    unit: "µs",
    median: median(floor),
    p99: p99(floor),
  });
  const verifyOnly = measureSync(() => verify(null, message, publicKey, signature), {
    samples: 3000,
  });
  add({
    group: GROUP,
    name: "node:crypto Ed25519 verify",
    unit: "µs",
    median: median(verifyOnly),
    p99: p99(verifyOnly),
  });

  // Grant evaluation: 10 grants × 3 hops.
  const lists = [0, 1, 2].map(() => new CompiledGrants(tenGrants()));
  const evaluation = measureSync(
    () => {
      for (const list of lists) list.evaluate(CALL.action, CALL.args);
    },
    { samples: 3000, batch: 100 },
  );
  add({
    group: GROUP,
    name: "grant evaluation, 10 grants × 3 hops",
    unit: "µs",
    median: median(evaluation),
    p99: p99(evaluation),
    target: "≤ 5 µs",
    met: median(evaluation) <= 5,
  });

  // Writ verification by depth, warm (memoized hops) and cold (fresh verifier).
  // "Flat" warm cost: an 8-hop writ costs at most 10 µs more than a 1-hop one,
  // a small fraction of the single Ed25519 verify every call pays for its proof.
  let warmOneHop = Number.NaN;
  for (const depth of [1, 3, 8]) {
    const { issuer, session } = chain(depth);
    const serialized = session.writ.toString();
    const now = Date.now();
    const warmVerifier = new WritVerifier({ issuer });
    const warm = measureSync(() => warmVerifier.verify(serialized, now), {
      samples: 3000,
      batch: 10,
    });
    if (depth === 1) warmOneHop = median(warm);
    add({
      group: GROUP,
      name: `verify ${depth}-hop writ, warm`,
      unit: "µs",
      median: median(warm),
      p99: p99(warm),
      ...(depth > 1
        ? {
            baseline: "verify 1-hop writ, warm",
            target: "warm flat in depth (≤ 1-hop + 10 µs)",
            met: median(warm) <= warmOneHop + 10,
          }
        : {}),
    });
    const cold = measureSync(() => new WritVerifier({ issuer }).verify(serialized, now), {
      samples: 500,
    });
    add({
      group: GROUP,
      name: `verify ${depth}-hop writ, cold`,
      unit: "µs",
      median: median(cold),
      p99: p99(cold),
      baseline: "node:crypto Ed25519 verify",
      target: `cold linear in depth: ≤ ${depth === 3 ? 4 : depth + 1} verifies + 1 ms`,
      met: median(cold) <= (depth === 3 ? 4 : depth + 1) * median(verifyOnly) + 1000,
      note: `${(median(cold) / median(verifyOnly)).toFixed(1)} verifies' worth`,
    });
  }

  // Hostile writs: refusing one costs no more than verifying the worst
  // legitimate writ (8 hops, cold), whatever its shape.
  {
    const { issuer } = chain(1);
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    const root = b64(JSON.stringify({ alg: "EdDSA", typ: "writ+jwt", kid: "k" }));
    const hostile: Record<string, string> = {
      "16 KiB of ~": "~".repeat(16 * 1024),
      "16 KiB of .": ".".repeat(16 * 1024),
      "16 KiB of base64url": "A".repeat(16 * 1024),
      "an 11 KiB JSON nesting": `${root}.${b64("[".repeat(11 * 1024))}.AAAA`,
      "1,500 duplicate JSON names": `${root}.${b64(`{${'"k":1,'.repeat(1500)}"k":1}`)}.AAAA`,
    };
    const now = Date.now();
    for (const [shape, serialized] of Object.entries(hostile)) {
      const refused = measureSync(
        () => {
          try {
            new WritVerifier({ issuer }).verify(serialized, now);
          } catch {
            // refused, as it must be
          }
        },
        { samples: 300, batch: 5 },
      );
      add({
        group: GROUP,
        name: `refuse a hostile writ: ${shape}`,
        unit: "µs",
        median: median(refused),
        p99: p99(refused),
        baseline: "verify 8-hop writ, cold",
        target: "≤ the cold 8-hop verify",
        met:
          median(refused) <=
          (results.find((r) => r.name === "verify 8-hop writ, cold")?.median ?? 0),
      });
    }
  }

  // Proof: the caller signs, the guard verifies.
  {
    const { session } = chain(3);
    const leaf = session.writ.leaf;
    const proofs = new ProofVerifier({ audience: "urn:bench", replayCacheSize: 2_000_000 });
    const argsHash = argumentsHash(CALL.args);
    const proof = measureSync(
      () => {
        const signed = session.prove({ audience: "urn:bench", ...CALL });
        proofs.verify(
          signed,
          { action: CALL.action, tool: CALL.tool, argsHash, leaf, writ: session.writ.toString() },
          Date.now(),
        );
      },
      { samples: 3000 },
    );
    add({
      group: GROUP,
      name: "proof sign + verify",
      unit: "µs",
      median: median(proof),
      p99: p99(proof),
      baseline: "node:crypto Ed25519 sign+verify (floor)",
    });
  }

  // The whole guard on the in-memory backend (no durable store: see the store group for that).
  {
    const { issuer, session, agents, grants } = chain(3);
    const backend = new MemoryBackend();
    backend.putUser({ id: "alice", permissions: grants });
    for (const agent of agents) backend.putAgent({ id: agent.id, policy: grants, keys: [agent] });
    const guard = await createGuard({
      backend,
      issuer,
      audience: "urn:bench",
      replayCacheSize: 2_000_000,
    });
    const run = await measure(() => guard.run(guard.callFrom(session, CALL), () => "ok"), {
      samples: 5000,
    });
    add({
      group: GROUP,
      name: "guard.run, 3-hop writ, in-memory backend",
      unit: "µs",
      median: median(run),
      p99: p99(run),
      baseline: "node:crypto Ed25519 sign+verify (floor)",
      note: "includes the caller's proof signing",
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import("./print-table.js");
  console.log(printTable(await runCoreBenchmarks()));
}
