/**
 * Writ beside its peers, measured in the same process on the same call: a
 * refund of 49 USD by a sub-worker two delegations below the user.
 *
 * - Writ: a 3-hop writ with conditions, the per-call proof, live state and the
 *   ledger row (in-memory here; the store group measures it with SQLite).
 * - Biscuit (biscuit-wasm): a 3-block attenuated token, each block checking the
 *   same bounds, parsed, signature-verified and authorized per call. Biscuit has
 *   no per-call proof of possession and no live state.
 * - Cedar (cedar-wasm): the same three bounds as preparsed policies, evaluated
 *   per call. Cedar has no token, signatures or delegation: policy only.
 * - node:crypto: one Ed25519 sign + verify, the floor.
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
import { MemoryBackend } from "@writ/core/testing";
import { measure, measureSync, median, p99 } from "./measure.js";
import type { BenchResult } from "./result.js";

const GROUP = "peers";
const FLOOR = "node:crypto Ed25519 sign+verify (floor)";
const HOP_BOUNDS = [5000, 1000, 100] as const;

export async function runPeerBenchmarks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const message = Buffer.alloc(300, 7);
  const floor = measureSync(
    () => verify(null, message, publicKey, sign(null, message, privateKey)),
    { samples: 3000 },
  );
  results.push({ group: GROUP, name: FLOOR, unit: "µs", median: median(floor), p99: p99(floor) });

  const writ = await measure(await writGuardCall(), { samples: 4000 });
  results.push({
    group: GROUP,
    name: "Writ guard.run, 3 hops + proof + live + ledger (memory)",
    unit: "µs",
    median: median(writ),
    p99: p99(writ),
    baseline: FLOOR,
    note: "in-memory ledger; see the store group for SQLite",
  });

  const biscuit = measureSync(await biscuitCall(), { samples: 2000 });
  results.push({
    group: GROUP,
    name: "biscuit-wasm: parse + verify 3-block token + authorize",
    unit: "µs",
    median: median(biscuit),
    p99: p99(biscuit),
    baseline: FLOOR,
    note: "no proof of possession, no live state, no audit",
  });

  const cedar = measureSync(await cedarCall(), { samples: 3000 });
  results.push({
    group: GROUP,
    name: "cedar-wasm: preparsed policies, isAuthorized",
    unit: "µs",
    median: median(cedar),
    p99: p99(cedar),
    baseline: FLOOR,
    note: "policy evaluation only: no token, no signatures",
  });
  return results;
}

async function writGuardCall(): Promise<() => Promise<unknown>> {
  const issuer = IssuerKeySet.generate("writ:peers");
  const agents = ["planner", "worker", "sub-worker"].map((id) => createAgentIdentity(id));
  const grants = HOP_BOUNDS.map((bound) =>
    parseGrantText(`refunds.approve(amount < ${bound}, currency in [USD, EUR])`),
  );
  const backend = new MemoryBackend();
  backend.putUser({ id: "alice", permissions: grants[0] ?? [] });
  for (const agent of agents)
    backend.putAgent({ id: agent.id, policy: "refunds.*", keys: [agent] });
  const guard = await createGuard({
    backend,
    issuer,
    audience: "urn:writ:peers",
    replayCacheSize: 2_000_000,
  });
  const [planner, worker, subWorker] = agents as [
    (typeof agents)[0],
    (typeof agents)[0],
    (typeof agents)[0],
  ];
  const session = new Session(
    planner,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: grants[0] ?? [] },
      agent: { ...planner, policy: "refunds.*" },
    }),
  )
    .delegate(worker, { grants: grants[1] ?? [] })
    .delegate(subWorker, { grants: grants[2] ?? [] });
  const call = {
    action: "refunds.approve",
    tool: "approve_refund",
    args: { amount: 49, currency: "USD" },
  };
  return () => guard.run(guard.callFrom(session, call), () => "ok");
}

async function biscuitCall(): Promise<() => unknown> {
  const biscuit = await import("@biscuit-auth/biscuit-wasm");
  const root = new biscuit.KeyPair(biscuit.SignatureAlgorithm.Ed25519);
  const builder = new biscuit.BiscuitBuilder();
  builder.addCode(
    `user("alice"); right("refunds.approve"); check if operation($op), right($op), amount($a), $a < ${HOP_BOUNDS[0]}, currency($c), ["USD", "EUR"].contains($c);`,
  );
  let token = builder.build(root.getPrivateKey());
  for (const bound of HOP_BOUNDS.slice(1)) {
    const block = new biscuit.BlockBuilder();
    block.addCode(
      `check if operation("refunds.approve"), amount($a), $a < ${bound}, currency($c), ["USD", "EUR"].contains($c);`,
    );
    token = token.appendBlock(block);
  }
  const serialized = token.toBase64();
  const rootPublic = root.getPublicKey();
  return () => {
    const parsed = biscuit.Biscuit.fromBase64(serialized, rootPublic);
    const authorizer = new biscuit.AuthorizerBuilder();
    authorizer.addCode(
      'operation("refunds.approve"); amount(49); currency("USD"); allow if user("alice");',
    );
    // The default 1 ms run limit is a latency guard, not part of the work: lift it so a
    // busy machine measures the work instead of failing the run.
    const result = authorizer
      .buildAuthenticated(parsed)
      .authorizeWithLimits({ max_facts: 1000, max_iterations: 100, max_time_micro: 1_000_000 });
    if (result !== 0) throw new Error("biscuit refused the benchmark call");
    return result;
  };
}

async function cedarCall(): Promise<() => unknown> {
  const cedar = await import("@cedar-policy/cedar-wasm/nodejs");
  const policies = [
    `permit(principal == Agent::"sub-worker", action == Action::"refunds.approve", resource) when { context.amount < ${HOP_BOUNDS[0]} && ["USD", "EUR"].contains(context.currency) };`,
    ...HOP_BOUNDS.slice(1).map(
      (bound) =>
        `forbid(principal, action == Action::"refunds.approve", resource) unless { context.amount < ${bound} && ["USD", "EUR"].contains(context.currency) };`,
    ),
  ].join("\n");
  const parsed = cedar.preparsePolicySet("writ-peers", { staticPolicies: policies });
  if (parsed.type !== "success")
    throw new Error(`cedar could not parse the benchmark policies: ${JSON.stringify(parsed)}`);
  return () => {
    const answer = cedar.statefulIsAuthorized({
      principal: { type: "Agent", id: "sub-worker" },
      action: { type: "Action", id: "refunds.approve" },
      resource: { type: "Refund", id: "r-1" },
      context: { amount: 49, currency: "USD" },
      preparsedPolicySetId: "writ-peers",
      entities: [],
    });
    if (answer.type !== "success" || answer.response.decision !== "allow")
      throw new Error("cedar refused the benchmark call");
    return answer;
  };
}
