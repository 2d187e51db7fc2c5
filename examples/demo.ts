/**
 * The Writ demo: a user's planner agent delegates a narrower writ to a refund
 * worker; the worker's calls are guarded, and each decision is printed.
 */
import {
  createAgentIdentity,
  createGuard,
  formatWritTree,
  IssuerKeySet,
  inspectWrit,
  issueWrit,
  Session,
} from "@writ/core";
import { MemoryBackend } from "@writ/core/testing";

const issuer = IssuerKeySet.generate("writ:demo");
const planner = createAgentIdentity("support-planner");
const worker = createAgentIdentity("refund-worker");

const backend = new MemoryBackend();
backend.putUser({
  id: "alice",
  permissions: "refunds.approve(amount < 10000, currency in [USD, EUR]); email.send",
});
backend.putAgent({ id: "support-planner", policy: "refunds.*; email.send", keys: [planner] });
backend.putAgent({ id: "refund-worker", policy: "refunds.approve", keys: [worker] });

const guard = await createGuard({ backend, issuer, audience: "urn:writ:demo" });

const root = new Session(
  planner,
  issueWrit({
    issuer,
    user: { id: "alice", permissions: backend.user("alice")?.permissions ?? [] },
    agent: { ...planner, policy: backend.agent("support-planner")?.policy ?? [] },
  }),
);
const refunds = root.delegate(worker, {
  grants: "refunds.approve(amount < 50, currency in [USD, EUR])",
  ttl: 300,
});

console.log("Delegation:\n");
console.log(formatWritTree(inspectWrit(refunds.writ)));
console.log("\nCalls made by refund-worker:\n");

for (const amount of [20, 500]) {
  const call = guard.callFrom(refunds, {
    action: "refunds.approve",
    tool: "approve_refund",
    args: { amount, currency: "USD" },
  });
  const { decision } = await guard.run(call, () => ({ refunded: amount }));
  console.log(`  approve_refund($${amount}) → ${decision.effect.toUpperCase()} [${decision.code}]`);
  console.log(`    ${decision.message}`);
}

console.log(`\nLedger: ${backend.records.length} hash-chained events recorded.`);
await guard.close();
