import { createAgentIdentity } from "@writ/core";
import { createApiKey, createWritServer } from "@writ/server";
import { sqliteBackend } from "@writ/store";
import { expect, it, onTestFinished } from "vitest";
import { refundForSignedInUser } from "./readme/remote-guard.js";
import { startTestProvider } from "./support/oidc-test-provider.js";

it("runs the README's example: a remote guard allows a refund for the user whose ID token was exchanged", async () => {
  const provider = await startTestProvider({
    clients: ["writ-agents"],
    accounts: { alice: { email: "alice@example.com", groups: ["support"] } },
  });
  const store = await sqliteBackend({ path: ":memory:" });
  const guardKey = createApiKey({ label: "tools", scopes: ["guard"] });
  const server = await createWritServer({
    store,
    apiKeys: [guardKey.record],
    audience: "urn:writ:readme",
    tokenExchange: {
      identityProviders: [
        {
          issuer: provider.issuer,
          clientId: "writ-agents",
          allowInsecureHttp: true,
          justInTimeProvisioning: true,
        },
      ],
    },
  });
  const listening = await server.listen({ port: 0 });
  onTestFinished(async () => {
    await listening.close();
    await store.close();
    await provider.close();
  });
  const supportBot = createAgentIdentity("support-bot");
  await store.putRole({ id: "support", permissions: "refunds.approve(amount < 100)" });
  await store.putAgent({ id: "support-bot", policy: "refunds.*", keys: [supportBot] });
  await store.putUser({ id: "alice", roles: ["support"] });
  await store.linkIdentity("alice", { issuer: provider.issuer, subject: "alice" });

  const idToken = await provider.signIn("writ-agents", "alice");
  const decision = await refundForSignedInUser(listening.url, guardKey.key, idToken, supportBot);
  expect(decision).toMatchObject({ effect: "allow", user: "alice", agent: "support-bot" });
});
