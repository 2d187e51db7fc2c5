// quick-start.ts
import { withWrit } from "@writ/ai-sdk";
import { createAgentIdentity, createGuard, IssuerKeySet, issueWrit, Session } from "@writ/core";
import { MemoryBackend } from "@writ/core/testing";
import { generateText, stepCountIs, tool } from "ai";
import { z } from "zod";
import { model } from "./scripted-model.js"; // or your provider's: openai("gpt-5"), …

// Alice may approve refunds under 1000; the support agent's policy allows refunds.
const backend = new MemoryBackend(); // in production: a store from @writ/store, or a Writ server
const issuer = IssuerKeySet.generate("writ:example");
const agent = createAgentIdentity("support");
const permissions = "refunds.approve(amount < 1000)";
backend.putUser({ id: "alice", permissions });
backend.putAgent({ id: "support", policy: "refunds.*", keys: [agent] });
const guard = await createGuard({ backend, issuer, audience: "urn:writ:support" });
const writ = issueWrit({
  issuer,
  user: { id: "alice", permissions },
  agent: { ...agent, policy: "refunds.*" },
});
const session = new Session(agent, writ);

// The one line: every call to these tools is decided and recorded by the guard first.
const tools = withWrit(
  {
    approve_refund: tool({
      description: "Approve a refund.",
      inputSchema: z.object({ amount: z.number() }),
      execute: async ({ amount }) => `refunded ${amount}`,
    }),
  },
  { guard, session, actions: { approve_refund: "refunds.approve" } },
);

const result = await generateText({
  model,
  tools,
  prompt: "Refund 20 and 5000.",
  stopWhen: stepCountIs(3),
});
for (const part of result.steps[0]?.content ?? []) {
  if (part.type === "tool-result") console.log("ran:", part.output);
  if (part.type === "tool-error") console.log("refused:", String(part.error));
}
console.log(result.text);
