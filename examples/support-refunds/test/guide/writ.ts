// writ.ts: Writ's side of your app: the store, the guard, and the agent's identity.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createAgentIdentity, createGuard, KeyPair, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";

const dir = process.env.WRIT_DIR ?? ".writ"; // the folder `writ init` made
export const store = await sqliteBackend({ path: join(dir, "writ.db") });
export const guard = await createGuard({
  backend: store,
  issuer: await store.issuerKeys(),
  audience: "urn:writ:support-app", // this guard's name: proofs made for it are good nowhere else
});

// The agent's private key, as `writ agents create` wrote it. It never leaves this process.
const jwk = JSON.parse(readFileSync(join(dir, "agents", "support-bot.jwk"), "utf8"));
export const supportBot = createAgentIdentity("support-bot", KeyPair.fromPrivateJwk(jwk));

/** support-bot acting for a signed-in user: their permissions ∩ its policy, for 15 minutes. */
export async function sessionFor(user: string): Promise<Session> {
  const writ = await store.issue({ user, agent: supportBot.id, key: supportBot.thumbprint });
  return new Session(supportBot, writ);
}
