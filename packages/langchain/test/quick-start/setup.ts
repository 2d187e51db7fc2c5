/**
 * What the quick start assumes you already have: a guard over your backend,
 * a tool-calling chat model (a scripted fake here, so it runs offline), your
 * tools, and the session of the agent acting for the signed-in user.
 */
import { createAgentIdentity, createGuard, IssuerKeySet, issueWrit, Session } from "@writ/core";
import { AIMessage, fakeModel, tool } from "langchain";
import { z } from "zod";
import { sqliteTestBackend } from "../../../../test/support/sqlite-test-backend.js";

export const backend = await sqliteTestBackend();
const issuer = IssuerKeySet.generate("writ:quick-start");
const agent = createAgentIdentity("support-agent");
const permissions = "refunds.approve(amount < 100, currency in [USD, EUR])";
await backend.putUser({ id: "alice", permissions });
await backend.putAgent({ id: "support-agent", policy: "refunds.*", keys: [agent] });

export const guard = await createGuard({ backend, issuer, audience: "urn:writ:quick-start" });
export const session = new Session(
  agent,
  issueWrit({
    issuer,
    user: { id: "alice", permissions },
    agent: { ...agent, policy: "refunds.*" },
  }),
);
export const model = fakeModel()
  .respondWithTools([
    { name: "approve_refund", args: { order: "42", amount: 25, currency: "USD" } },
  ])
  .respond(new AIMessage("Refunded 25 USD for order 42."));
export const tools = [
  tool(async ({ order, amount, currency }) => `refunded ${amount} ${currency} on order ${order}`, {
    name: "approve_refund",
    description: "Refund an order.",
    schema: z.object({ order: z.string(), amount: z.number(), currency: z.string() }),
  }),
];
