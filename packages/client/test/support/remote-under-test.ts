import { RemoteAdmin, RemoteBackend } from "@writ/client";
import { type Clock, type IssuerKeySet, issuerKeysFromJwks } from "@writ/core";
import type { LedgerAppend, LiveSink } from "@writ/core/backend";
import { seededRandom } from "@writ/core/testing";
import { createApiKey, createWritServer, type ListeningWritServer } from "@writ/server";
import { sqliteBackend } from "@writ/store";
import type { BackendUnderTest } from "../../../../test/backend/backend-suite.js";

/**
 * The shared backend suite's view of a remote server: core's Backend is the
 * real remoteBackend(), every admin operation goes through the server's HTTP
 * API (RemoteAdmin). Only issuerKeys() differs: private keys never leave the
 * server, so it returns the issuer pinned from the server's public keys,
 * which is all a guard (and the suite) uses.
 */
export async function openRemoteUnderTest(clock: Clock, label: string): Promise<BackendUnderTest> {
  const store = await sqliteBackend({ path: ":memory:", clock, random: seededRandom(label) });
  const { key, record } = createApiKey({ label: "suite operator" });
  const server = await createWritServer({
    store,
    apiKeys: [record],
    audience: "urn:writ:suite",
    clock,
  });
  let listening: ListeningWritServer;
  try {
    listening = await server.listen({ port: 0 });
  } catch (error) {
    await server.close();
    await store.close();
    throw error;
  }
  const options = { url: listening.url, apiKey: key };
  const backend = new RemoteBackend({ ...options, live: { idleTimeoutMs: 10_000 } });
  const admin = new RemoteAdmin(options);
  let closing: Promise<void> | undefined;

  const underTest: Omit<BackendUnderTest, keyof RemoteAdmin> = {
    watch: (sink: LiveSink) => backend.watch(sink),
    append: (appends: readonly LedgerAppend[]) => backend.append(appends),
    recordDelegations: (records) => backend.recordDelegations(records),
    requestApproval: (request) => backend.requestApproval(request),
    decideApproval: (id, decision) => backend.decideApproval(id, decision),
    consumeApproval: (id, binding, at) => backend.consumeApproval(id, binding, at),
    getApproval: (id) => backend.getApproval(id),
    reserveBudgets: (request) => backend.reserveBudgets(request),
    releaseBudgets: (id, callId) => backend.releaseBudgets(id, callId),
    issuerKeys: async () => {
      const info = await admin.issuerKeyInfo();
      const pinned = issuerKeysFromJwks(info.issuer, { keys: info.keys.map((entry) => entry.jwk) });
      const active = info.keys.find((entry) => entry.status === "active");
      // Structurally what guards and the suite use of an IssuerKeySet: issuer, publicKey(), active.kid.
      return {
        issuer: pinned.issuer,
        publicKey: pinned.publicKey,
        active: { kid: active?.kid },
      } as unknown as IssuerKeySet;
    },
    close: () => {
      closing ??= (async () => {
        await backend.close();
        await listening.close();
        await store.close();
      })();
      return closing;
    },
  };
  return new Proxy(underTest as BackendUnderTest, {
    get(target, property, receiver) {
      if (property in target) return Reflect.get(target, property, receiver);
      const method = Reflect.get(admin, property, admin) as unknown;
      return typeof method === "function" ? method.bind(admin) : method;
    },
  });
}
