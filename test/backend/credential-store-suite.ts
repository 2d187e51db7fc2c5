import type {
  CredentialStore,
  PendingConnection,
  StoredAccessToken,
  StoredConnection,
} from "@writ/core/backend";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

export interface CredentialStoreSuiteOptions {
  /** Opens a fresh, empty store; `close` ends it. */
  readonly open: () => Promise<{ readonly credentials: CredentialStore; close(): Promise<void> }>;
}

const T0 = Date.UTC(2026, 0, 1, 12);
const sealed = (text: string, keyId = "k1") => ({ keyId, ciphertext: `wk1.${keyId}.${text}` });

function connection(id: string, user = "alice", overrides: Partial<StoredConnection> = {}) {
  return {
    id,
    user,
    tenant: "acme",
    provider: "mail",
    status: "active",
    scopes: ["mail.read", "mail.send"],
    refreshToken: sealed(`refresh-${id}`),
    version: 0,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  } satisfies StoredConnection;
}

function accessToken(connectionId: string, scopeKey: string, text = "access"): StoredAccessToken {
  return {
    connectionId,
    scopeKey,
    token: sealed(`${text}-${scopeKey}`),
    tokenType: "bearer",
    createdAt: T0,
    expiresAt: T0 + 300_000,
  };
}

function pending(stateHash: string, expiresAt = T0 + 600_000): PendingConnection {
  return {
    stateHash,
    provider: "mail",
    user: "alice",
    tenant: "acme",
    scopes: ["mail.send"],
    verifier: sealed(`verifier-${stateHash}`),
    createdAt: T0,
    expiresAt,
  };
}

/**
 * The credential broker's store contract (core's CredentialStore), run
 * against every store that implements it: what the broker relies on for
 * single-use connect states, one refresh at a time across processes, and
 * re-wrapping under a new key.
 */
export function credentialStoreSuite(name: string, options: CredentialStoreSuiteOptions): void {
  describe(`credential store suite: ${name}`, () => {
    let opened: Awaited<ReturnType<CredentialStoreSuiteOptions["open"]>>;
    let store: CredentialStore;

    beforeEach(async () => {
      opened = await options.open();
      store = opened.credentials;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("hands a connect flow out once, even to concurrent callbacks, and forgets expired ones", async () => {
      await store.savePending(pending("s1"));
      await store.savePending(pending("old", T0 - 1));
      const takers = await Promise.all([1, 2, 3].map(() => store.takePending("s1")));
      expect(takers.filter((taken) => taken !== undefined)).toEqual([pending("s1")]);
      expect(await store.takePending("s1")).toBeUndefined();
      await store.savePending({ ...pending("s2"), createdAt: T0 + 1 });
      expect(await store.takePending("old")).toBeUndefined();
      expect(await store.takePending("s2")).toMatchObject({ stateHash: "s2" });
    });

    it("keeps one connection per user and provider; replacing or deleting one drops its tokens", async () => {
      await store.putConnection(connection("c1"));
      await store.recordRefresh({
        connectionId: "c1",
        version: 0,
        accessToken: accessToken("c1", "mail.send"),
        at: T0,
      });
      expect(await store.getConnection("alice", "mail")).toMatchObject({ id: "c1", version: 1 });
      await store.putConnection(connection("c2"));
      expect(await store.getConnection("alice", "mail")).toEqual(connection("c2"));
      expect(await store.listAccessTokens("c1")).toEqual([]);
      await store.putConnection(connection("c3", "bob", { provider: "calendar" }));
      expect((await store.listConnections("alice")).map((c) => c.id)).toEqual(["c2"]);
      await store.recordRefresh({
        connectionId: "c2",
        version: 0,
        accessToken: accessToken("c2", "mail.send"),
        at: T0,
      });
      expect(await store.deleteConnection("c2")).toBe(true);
      expect(await store.deleteConnection("c2")).toBe(false);
      expect(await store.getAccessToken("c2", "mail.send")).toBeUndefined();
      expect(await store.getConnection("alice", "mail")).toBeUndefined();
    });

    it("lets one owner at a time hold a connection's refresh lease, until it ends or expires", async () => {
      await store.putConnection(connection("c1"));
      expect(await store.claimRefresh("c1", "a", T0 + 1000, T0)).toBe(true);
      expect(await store.claimRefresh("c1", "b", T0 + 1000, T0 + 1)).toBe(false);
      expect(await store.claimRefresh("c1", "a", T0 + 2000, T0 + 1)).toBe(true);
      expect(await store.claimRefresh("c1", "b", T0 + 5000, T0 + 2001)).toBe(true);
      await store.releaseRefresh("c1", "a"); // not a's any more: nothing happens
      expect(await store.claimRefresh("c1", "a", T0 + 5000, T0 + 2002)).toBe(false);
      await store.releaseRefresh("c1", "b");
      expect(await store.claimRefresh("c1", "a", T0 + 5000, T0 + 2003)).toBe(true);
      const claims = await Promise.all(
        ["x", "y", "z"].map((owner) => store.claimRefresh("c1", owner, T0 + 9000, T0 + 6000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claimRefresh("missing", "a", T0 + 1000, T0)).toBe(false);
    });

    it("records a refresh only against the version it started from, atomically", async () => {
      await store.putConnection(connection("c1"));
      await store.claimRefresh("c1", "a", T0 + 1000, T0);
      expect(
        await store.recordRefresh({
          connectionId: "c1",
          version: 0,
          refreshToken: sealed("refresh-2"),
          accessToken: accessToken("c1", "mail.send"),
          at: T0 + 10,
        }),
      ).toBe(true);
      expect(await store.getConnection("alice", "mail")).toMatchObject({
        version: 1,
        refreshToken: sealed("refresh-2"),
        refreshedAt: T0 + 10,
        updatedAt: T0 + 10,
      });
      // The lease ended with the refresh.
      expect(await store.claimRefresh("c1", "b", T0 + 1000, T0 + 11)).toBe(true);
      expect(await store.getAccessToken("c1", "mail.send")).toEqual(accessToken("c1", "mail.send"));
      const stale = await store.recordRefresh({
        connectionId: "c1",
        version: 0,
        accessToken: accessToken("c1", "mail.read"),
        at: T0 + 20,
      });
      expect(stale).toBe(false);
      expect(await store.getAccessToken("c1", "mail.read")).toBeUndefined();
      // Without a rotation the refresh token stays; the access token of the same scope set is replaced.
      const renewed = { ...accessToken("c1", "mail.send", "renewed"), createdAt: T0 + 30 };
      expect(
        await store.recordRefresh({
          connectionId: "c1",
          version: 1,
          accessToken: renewed,
          at: T0 + 30,
        }),
      ).toBe(true);
      expect(await store.getAccessToken("c1", "mail.send")).toEqual(renewed);
      expect((await store.getConnection("alice", "mail"))?.refreshToken).toEqual(
        sealed("refresh-2"),
      );
    });

    it("marks a connection broken: no refresh token, no access tokens, no more refreshes", async () => {
      await store.putConnection(connection("c1"));
      await store.recordRefresh({
        connectionId: "c1",
        version: 0,
        accessToken: accessToken("c1", "mail.send"),
        at: T0,
      });
      await store.markBroken("c1", T0 + 5, "credential.broken");
      const broken = await store.getConnection("alice", "mail");
      expect(broken).toMatchObject({
        status: "broken",
        brokenAt: T0 + 5,
        brokenReason: "credential.broken",
        version: 2,
      });
      expect(broken?.refreshToken).toBeUndefined();
      expect(await store.listAccessTokens("c1")).toEqual([]);
      expect(await store.claimRefresh("c1", "a", T0 + 1000, T0 + 6)).toBe(false);
      expect(
        await store.recordRefresh({
          connectionId: "c1",
          version: 2,
          accessToken: accessToken("c1", "mail.send"),
          at: T0 + 7,
        }),
      ).toBe(false);
    });

    it("finds what is sealed under other keys and swaps it only if unchanged", async () => {
      await store.putConnection(connection("c1"));
      await store.recordRefresh({
        connectionId: "c1",
        version: 0,
        accessToken: accessToken("c1", "mail.send"),
        at: T0,
      });
      await store.savePending(pending("s1"));
      await store.putConnection(connection("c2", "bob", { refreshToken: sealed("bob", "k2") }));
      const found = await store.sealedNotUnder("k2", 10);
      expect(found.map(({ field }) => field.kind).sort()).toEqual([
        "access_token",
        "code_verifier",
        "refresh_token",
      ]);
      expect(await store.sealedNotUnder("k2", 2)).toHaveLength(2);
      for (const { field, value } of found) {
        expect(await store.replaceSealed(field, "not what is stored", sealed("x", "k2"))).toBe(
          false,
        );
        expect(
          await store.replaceSealed(field, value.ciphertext, sealed(`new-${field.kind}`, "k2")),
        ).toBe(true);
      }
      expect(await store.sealedNotUnder("k2", 10)).toEqual([]);
      expect((await store.getConnection("alice", "mail"))?.refreshToken).toEqual(
        sealed("new-refresh_token", "k2"),
      );
      expect((await store.takePending("s1"))?.verifier).toEqual(sealed("new-code_verifier", "k2"));
      await expect(store.sealedNotUnder("k2", 0)).rejects.toThrow(TypeError);
    });
  });
}
