// server.ts: a Writ server that connects and disconnects users' providers.
import { createCredentialBroker, keyringFromEnvironment } from "@writ/broker";
import { createApiKey, createWritServer } from "@writ/server";
import { google, store } from "./broker.js";

export const operator = createApiKey({ label: "ops" }); // operator.key is shown once
export const server = await createWritServer({
  store,
  apiKeys: [operator.record],
  audience: "https://writ.example.com",
  credentials: createCredentialBroker({
    store: store.credentials,
    ledger: store,
    keyring: keyringFromEnvironment(),
    providers: [google],
  }),
});
