/** The README's quick start: a Writ server on the project's SQLite store, listening on `port`. */
import { createWritServer } from "@writ/server";
import { sqliteBackend } from "@writ/store";

export async function startWritServer(port: number) {
  const store = await sqliteBackend(); // or postgresBackend({ url })
  const { key } = await store.createApiKey({ label: "ops" }); // shown once; the store keeps its hash
  const server = await createWritServer({ store, audience: "https://writ.example.com" });
  const { url, close } = await server.listen({ port }); // 7070 by default; 127.0.0.1 unless told otherwise
  return { url, close, store, operator: { key } };
}

/** The README's token exchange settings, on a server of their own. */
export async function startExchangeServer(port: number) {
  const store = await sqliteBackend();
  const server = await createWritServer({
    store,
    apiKeys: [],
    audience: "https://writ.example.com",
    tokenExchange: {
      identityProviders: [
        {
          issuer: "https://login.example.com/realms/acme", // exact `iss`; its discovery document gives the JWKS
          clientId: "writ-agents", // the `aud` of its ID tokens
          accessTokenAudience: "https://writ.example.com", // optional: also accept RFC 9068 JWT access tokens
          tenant: "acme", // optional: users from it belong to this tenant
          claims: {
            user: "email",
            roles: { claim: "groups", map: { "refund-approvers": ["refund-desk"] } },
          },
          emailDomains: ["acme.example"], // required with user: "email"
          justInTimeProvisioning: true, // optional: create users for unlinked identities
        },
      ],
    },
  });
  const { url, close } = await server.listen({ port });
  return { url, close, store };
}
