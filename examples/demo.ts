/**
 * The Writ demo, on the embedded default (SQLite in ./.writ/): a user's
 * planner agent delegates a narrower writ to a refund worker; the worker's
 * calls are guarded, each decision printed, and the ledger verified.
 */
import { createAgentIdentity, createGuard, formatWritTree, inspectWrit, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";

const store = await sqliteBackend();
const planner = createAgentIdentity("support-planner");
const worker = createAgentIdentity("refund-worker");

await store.putUser({
  id: "alice",
  permissions: "refunds.approve(amount < 10000, currency in [USD, EUR]); email.send",
});
await store.putAgent({ id: "support-planner", policy: "refunds.*; email.send", keys: [planner] });
await store.putAgent({ id: "refund-worker", policy: "refunds.approve", keys: [worker] });

const guard = await createGuard({
  backend: store,
  issuer: await store.issuerKeys(),
  audience: "urn:writ:demo",
});

const root = new Session(
  planner,
  await store.issue({ user: "alice", agent: "support-planner", key: planner.thumbprint }),
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

const verification = await store.verifyLedger();
console.log(
  `\nLedger in .writ/writ.db: ${verification.ok ? "verified" : "BROKEN"} (${JSON.stringify(verification)}).`,
);
await guard.close();
await store.close();
