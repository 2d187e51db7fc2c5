import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { CredentialKeyring, type ProviderAccessToken } from "@writ/broker";
import { isWritError, type WritError } from "@writ/core";
import { afterEach, describe, expect, it } from "vitest";
import { type BrokerWorld, createBrokerWorld, mailProvider } from "./support/broker-world.js";

let world: BrokerWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function failure(promise: Promise<unknown>): Promise<WritError> {
  try {
    await promise;
  } catch (error) {
    if (isWritError(error)) return error;
    throw error;
  }
  throw new Error("Expected a WritError, but it resolved.");
}

async function drain(lines: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const line of lines) text += line;
  return text;
}

/** The SQLite database as bytes on disk, its write-ahead log included. */
function databaseBytes(path: string): string {
  return [path, `${path}-wal`]
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString("latin1"))
    .join("\n");
}

const token = (w: BrokerWorld, action: string) =>
  w.runWithToken(action, (decision) =>
    w.broker.getAccessToken(decision, "mail"),
  ) as Promise<ProviderAccessToken>;

describe("credentials at rest", () => {
  it("never writes a token, code, state or verifier to the database file, the ledger or its exports", async () => {
    world = await createBrokerWorld();
    const w = world;
    const started = await w.broker.startConnect({ user: "alice", provider: "mail" });
    const callback = await w.provider.approve(started.authorizationUrl, "alice");
    const code = callback.searchParams.get("code") as string;
    await w.broker.completeConnect({ provider: "mail", user: "alice", callback });
    const secrets = new Set<string>([code, started.state]);
    for (const action of ["email.send", "email.read", "calendar.read"])
      secrets.add((await token(w, action)).value);
    w.advance(301_000);
    secrets.add((await token(w, "email.send")).value); // a refresh that rotated the refresh token
    await w.provider.stop();
    w.advance(301_000);
    const down = await failure(token(w, "email.send"));
    await w.provider.start();
    await w.provider.dropGrants();
    const broken = await failure(token(w, "email.read"));
    for (const value of w.seenTokens) secrets.add(value);
    // Access and refresh tokens from the code exchange and from each refresh.
    expect(w.seenTokens.size).toBeGreaterThanOrEqual(10);

    const database = databaseBytes(w.dbPath);
    expect(database).toContain("wk1.k1."); // what is stored is sealed
    const ledger = [
      await drain(w.store.exportLedger("jsonl")),
      await drain(w.store.exportLedger("ocsf")),
      await drain(w.store.exportLedger("ecs")),
    ].join("\n");
    expect(ledger).toContain("credential.refresh");
    const messages = [down, broken].map((error) => `${error.message} ${JSON.stringify(error)}`);
    for (const secret of secrets) {
      expect(database.includes(secret), "a secret is in the database file").toBe(false);
      expect(ledger.includes(secret), "a secret is in the ledger").toBe(false);
      for (const message of messages) expect(message.includes(secret)).toBe(false);
    }
    expect((await w.store.verifyLedger()).ok).toBe(true);
  });

  it("binds each sealed value to its record: one user's token moved to another's row does not open", async () => {
    world = await createBrokerWorld();
    const w = world;
    await w.connect("alice");
    await w.connect("bob");
    const alice = await w.store.credentials.getConnection("alice", "mail");
    const bob = await w.store.credentials.getConnection("bob", "mail");
    if (!alice?.refreshToken || !bob?.refreshToken) throw new Error("Both should be connected.");
    // Someone with write access to the database copies Bob's sealed refresh token into Alice's row.
    expect(
      await w.store.credentials.replaceSealed(
        { kind: "refresh_token", connectionId: alice.id },
        alice.refreshToken.ciphertext,
        bob.refreshToken,
      ),
    ).toBe(true);
    const refused = await failure(token(w, "email.send"));
    expect(refused.code).toBe("store.corrupt");
    expect(refused.message).toMatch(/did not authenticate/);
  });

  it("re-wraps everything under a new key-encryption key, after which the old one can go", async () => {
    world = await createBrokerWorld();
    const w = world;
    await w.connect();
    await token(w, "email.send"); // an access token, sealed
    await w.broker.startConnect({ user: "bob", provider: "mail" }); // a PKCE verifier, sealed
    const k2 = randomBytes(32);
    const onlyNew = w.anotherBroker({
      keyring: new CredentialKeyring({ keys: [{ id: "k2", key: k2 }] }),
    });
    expect((await failure(token({ ...w, broker: onlyNew }, "email.send"))).code).toBe(
      "key.unknown",
    );
    const rotating = w.anotherBroker({
      keyring: new CredentialKeyring({
        keys: [
          { id: "k2", key: k2.toString("base64") },
          { id: "k1", key: w.kek },
        ],
      }),
    });
    expect(await rotating.rewrap({ batchSize: 2 })).toEqual({ count: 3 });
    expect(await rotating.rewrap()).toEqual({ count: 0 });
    expect(await w.store.credentials.sealedNotUnder("k2", 100)).toEqual([]);
    // The new key alone now opens the stored access token, and the refresh token.
    const requests = w.provider.requests("/token");
    expect((await token({ ...w, broker: onlyNew }, "email.send")).scopes).toEqual(["mail.send"]);
    expect(w.provider.requests("/token")).toBe(requests);
    w.advance(301_000);
    expect((await token({ ...w, broker: onlyNew }, "email.send")).scopes).toEqual(["mail.send"]);
    expect(w.provider.requests("/token")).toBe(requests + 1);
    const page = await w.store.queryLedger({ kind: "admin", limit: 1000 });
    expect(
      page.records
        .filter((row) => row.detail?.op === "credential.rewrap")
        .map((row) => row.detail?.count),
    ).toEqual([3, 0]);
  });

  it("works with explicit endpoints instead of discovery", async () => {
    world = await createBrokerWorld();
    const w = world;
    const { issuer } = w.provider;
    const explicit = w.anotherBroker({
      providers: [
        {
          ...mailProvider(issuer),
          issuer,
          endpoints: {
            authorization: `${issuer}/auth`,
            token: `${issuer}/token`,
            revocation: `${issuer}/token/revocation`,
          },
        },
      ],
    });
    const started = await explicit.startConnect({ user: "alice", provider: "mail" });
    expect(w.provider.requests("/.well-known/openid-configuration")).toBe(0);
    await explicit.completeConnect({
      provider: "mail",
      user: "alice",
      callback: await w.provider.approve(started.authorizationUrl, "alice"),
    });
    expect((await token({ ...w, broker: explicit }, "email.send")).scopes).toEqual(["mail.send"]);
    expect(await explicit.disconnect({ user: "alice", provider: "mail" })).toEqual({
      removed: true,
      revoked: true,
    });
    expect(w.provider.requests("/.well-known/openid-configuration")).toBe(0);
  });
});
