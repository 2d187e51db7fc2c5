// broker.ts: the store, the guard and the broker, with Google's scope table.
import {
  createCredentialBroker,
  keyringFromEnvironment,
  type OAuthProviderOptions,
} from "@writ/broker";
import { createGuard } from "@writ/core";
import { sqliteBackend } from "@writ/store";

export const store = await sqliteBackend(); // or postgresBackend({ url })
export const guard = await createGuard({
  backend: store,
  issuer: await store.issuerKeys(),
  audience: "urn:writ:mail-assistant",
});

const { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET } = process.env;
if (!GOOGLE_CLIENT_ID || !GOOGLE_CLIENT_SECRET)
  throw new Error("Set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET.");

export const google: OAuthProviderOptions = {
  id: "google",
  issuer: "https://accounts.google.com",
  clientId: GOOGLE_CLIENT_ID,
  clientSecret: GOOGLE_CLIENT_SECRET,
  redirectUri: "https://app.example.com/connections/google/callback",
  scopes: {
    "email.send": ["https://www.googleapis.com/auth/gmail.send"],
    "email.*": ["https://www.googleapis.com/auth/gmail.readonly"],
    "calendar.read": ["https://www.googleapis.com/auth/calendar.readonly"],
    "docs.read": [], // needs nothing from Google
  },
  authorizationParameters: { access_type: "offline", prompt: "consent" },
};

export const broker = createCredentialBroker({
  store: store.credentials,
  ledger: store,
  keyring: keyringFromEnvironment(),
  guard,
  providers: [google],
});
