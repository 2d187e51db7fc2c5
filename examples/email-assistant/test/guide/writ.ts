// writ.ts: Writ's side of your app: the store, the guard, and the agent's identity.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createAgentIdentity, createGuard, KeyPair, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { isContact } from "./crm.js";

const dir = process.env.WRIT_DIR ?? ".writ"; // the folder `writ init` made
export const store = await sqliteBackend({ path: join(dir, "writ.db") });
export const guard = await createGuard({
  backend: store,
  issuer: await store.issuerKeys(),
  audience: "urn:writ:mail-app", // this guard's name: proofs made for it are good nowhere else
  sets: {
    // `to in @crm.contacts`, answered live for the user the agent acts for.
    "crm.contacts": (to, { user }) => typeof to === "string" && isContact(user, to),
  },
});

// The agent's private key, as `writ agents create` wrote it. It never leaves this process.
const jwk = JSON.parse(readFileSync(join(dir, "agents", "mail-bot.jwk"), "utf8"));
export const mailBot = createAgentIdentity("mail-bot", KeyPair.fromPrivateJwk(jwk));

/** mail-bot acting for a signed-in user: their permissions ∩ its policy, for 15 minutes. */
export async function sessionFor(user: string): Promise<Session> {
  const writ = await store.issue({ user, agent: mailBot.id, key: mailBot.thumbprint });
  return new Session(mailBot, writ);
}
