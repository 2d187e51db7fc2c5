import {
  type CredentialBrokerOptions,
  CredentialKeyring,
  createCredentialBroker,
  type OAuthProviderOptions,
} from "@writ/broker";
import { sqliteBackend } from "@writ/store";
import { describe, expect, it } from "vitest";
import { ScopeTranslation } from "../src/scope-translation.js";

const provider: OAuthProviderOptions = {
  id: "mail",
  clientId: "writ",
  clientSecret: "secret",
  redirectUri: "https://app.example.com/connected",
  endpoints: {
    authorization: "https://login.example.com/authorize",
    token: "https://login.example.com/token",
  },
  scopes: {
    "*": ["profile"],
    "email.*": ["mail.read"],
    "email.send": ["mail.send"],
    "email.drafts.*": ["mail.compose", "mail.read"],
    "docs.read": [],
  },
  connectScopes: ["offline_access"],
  authorizationParameters: { access_type: "offline", prompt: "consent" },
};

async function brokerWith(providers: readonly OAuthProviderOptions[]) {
  const store = await sqliteBackend({ path: ":memory:" });
  const options: CredentialBrokerOptions = {
    store: store.credentials,
    ledger: store,
    keyring: new CredentialKeyring({ keys: [{ id: "k", key: new Uint8Array(32).fill(7) }] }),
    providers,
  };
  return { store, make: () => createCredentialBroker(options) };
}

describe("scope translation", () => {
  const table = new ScopeTranslation(provider.scopes, "mail");

  it("gives an action the scopes of its most specific matching pattern, never the union", () => {
    expect(table.scopesFor("email.send")).toEqual(["mail.send"]);
    expect(table.scopesFor("email.read")).toEqual(["mail.read"]);
    expect(table.scopesFor("email.drafts.create")).toEqual(["mail.compose", "mail.read"]);
    expect(table.scopesFor("calendar.read")).toEqual(["profile"]);
    expect(table.scopesFor("docs.read")).toEqual([]);
    expect(new ScopeTranslation({ "email.send": ["a"] }, "p").scopesFor("emails.send")).toBe(
      undefined,
    );
    expect(table.allScopes).toEqual(["mail.compose", "mail.read", "mail.send", "profile"]);
  });

  it("refuses patterns and scopes that are not well formed", () => {
    expect(() => new ScopeTranslation({ "email send": ["a"] }, "p")).toThrow(TypeError);
    expect(() => new ScopeTranslation({ "email.send": ["a b"] }, "p")).toThrow(TypeError);
    expect(() => new ScopeTranslation({ "email.send": "a" as never }, "p")).toThrow(TypeError);
  });
});

describe("provider configuration", () => {
  it("asks for the scopes of the given actions plus the connect scopes, with the provider's extras", async () => {
    const { store, make } = await brokerWith([provider]);
    const started = await make().startConnect({
      user: "alice",
      provider: "mail",
      actions: ["email.send", "email.drafts.create"],
    });
    const url = new URL(started.authorizationUrl);
    expect(url.origin + url.pathname).toBe("https://login.example.com/authorize");
    expect(url.searchParams.get("scope")).toBe("mail.compose mail.read mail.send offline_access");
    expect(url.searchParams.get("access_type")).toBe("offline");
    expect(url.searchParams.get("resource")).toBe(null);
    await expect(
      make().startConnect({ user: "alice", provider: "mail", actions: ["docs.read"] }),
    ).rejects.toMatchObject({ code: "credential.no_scopes" });
    await expect(make().startConnect({ user: "not an id", provider: "mail" })).rejects.toThrow(
      TypeError,
    );
    await expect(make().startConnect({ user: "alice", provider: "other" })).rejects.toThrow(
      /Unknown provider "other"/,
    );
    await store.close();
  });

  it("checks every provider when the broker is made: https, ids, endpoints, secrets, reserved parameters", async () => {
    const { endpoints: _endpoints, ...withoutEndpoints } = provider;
    const { clientSecret: _secret, ...withoutSecret } = provider;
    const invalid: OAuthProviderOptions[] = [
      { ...provider, id: "Mail!" },
      withoutEndpoints,
      { ...provider, redirectUri: "http://app.example.com/connected" },
      {
        ...provider,
        endpoints: { authorization: "http://login.example.com/a", token: "https://l/t" },
      },
      { ...withoutSecret, clientAuthentication: "client_secret_post" },
      { ...provider, authorizationParameters: { state: "fixed" } },
      { ...provider, discovery: "saml" as never },
      { ...provider, clientId: "" },
    ];
    for (const options of invalid) {
      const { store, make } = await brokerWith([options]);
      expect(make, JSON.stringify(options)).toThrow(TypeError);
      await store.close();
    }
    const { store, make } = await brokerWith([provider, provider]);
    expect(make).toThrow(/configured twice/);
    await store.close();
    const http = await brokerWith([
      {
        ...provider,
        redirectUri: "http://127.0.0.1:3000/connected",
        allowInsecureHttp: true,
      },
    ]);
    expect(http.make().providers).toEqual(["mail"]);
    await http.store.close();
  });
});
