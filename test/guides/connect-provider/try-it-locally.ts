// try-it-locally.ts: the whole flow against a real OAuth server on loopback (oidc-provider).
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CredentialKeyring, createCredentialBroker } from "@writ/broker";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import {
  API_RESOURCE,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  startTestAuthorizationServer,
} from "../../../packages/broker/test/support/test-authorization-server.js";

const provider = await startTestAuthorizationServer();
const store = await sqliteBackend({ path: join(mkdtempSync(join(tmpdir(), "writ-")), "writ.db") });
const mailer = createAgentIdentity("mailer");
await store.putUser({ id: "alice", permissions: "email.*; calendar.read" });
await store.putAgent({ id: "mailer", policy: "email.send", keys: [mailer] });
const guard = await createGuard({
  backend: store,
  issuer: await store.issuerKeys(),
  audience: "urn:writ:mail-assistant",
});
const options = {
  store: store.credentials,
  ledger: store,
  guard,
  providers: [
    {
      id: "local",
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      resource: API_RESOURCE,
      scopes: { "email.send": ["mail.send"], "calendar.read": ["calendar.read"] },
      allowInsecureHttp: true, // loopback only; never in production
    },
  ],
};
const k1 = { id: "k1", key: randomBytes(32) };
let broker = createCredentialBroker({ ...options, keyring: new CredentialKeyring({ keys: [k1] }) });

// Alice connects: your app sends her browser to the provider; she signs in and consents.
const { authorizationUrl } = await broker.startConnect({ user: "alice", provider: "local" });
const callback = await provider.approve(authorizationUrl, "alice"); // what her browser brings back
const connection = await broker.completeConnect({ provider: "local", user: "alice", callback });
console.log("connected:", connection.scopes.join(" "));

// mailer, acting for Alice, sends an email: the guard allows the call, the tool gets a token.
const session = new Session(mailer, await store.issue({ user: "alice", agent: "mailer" }));
const call = guard.callFrom(session, {
  action: "email.send",
  tool: "send_email",
  args: { to: "bob@example.com" },
});
const result = await guard.run(call, async (allowed) => {
  const token = await broker.getAccessToken(allowed, "local"); // only inside an allowed call
  return token.scopes.join(" ");
});
if (!("output" in result)) throw new Error(`The guard refused: ${result.decision.code}`);
console.log("allowed, with a token for:", result.output);

// Rotate the key-encryption key: the new key first, the old one kept, then re-wrap.
const k2 = { id: "k2", key: randomBytes(32) };
broker = createCredentialBroker({ ...options, keyring: new CredentialKeyring({ keys: [k2, k1] }) });
const { count } = await broker.rewrap(); // values re-wrapped; only the 32-byte data keys are re-encrypted
console.log("re-wrapped:", count);
const { revoked } = await broker.disconnect({ user: "alice", provider: "local" });
console.log("disconnected, revoked at the provider:", revoked);

await guard.close();
await store.close();
await provider.stop();
