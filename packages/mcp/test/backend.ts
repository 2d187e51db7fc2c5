import { KeyPair } from "@writ/core";
import { type PublicKeyInput, sqliteBackend } from "@writ/store";
import { onTestFinished } from "vitest";
import type { ConformanceBackend } from "../../../test/adapters/adapter-conformance.js";

/**
 * The backend this package's tests run on: the real SQLite store, in memory,
 * seen through the conformance suite's admin calls (users, agents,
 * revocations, the ledger). Closed when the test, or the suite that opened
 * it in a beforeAll, finishes.
 */
export async function testBackend(
  closeWith: (close: () => Promise<void>) => void = (close) => onTestFinished(close),
): Promise<ConformanceBackend> {
  const store = await sqliteBackend({ path: ":memory:" });
  closeWith(() => store.close());
  return {
    watch: (sink) => store.watch(sink),
    append: (appends) => store.append(appends),
    recordDelegations: (records) => store.recordDelegations(records),
    requestApproval: (request) => store.requestApproval(request),
    decideApproval: (id, decision) => store.decideApproval(id, decision),
    consumeApproval: (id, binding, at) => store.consumeApproval(id, binding, at),
    getApproval: (id) => store.getApproval(id),
    close: () => store.close(),
    putUser: async ({ id, permissions }) => {
      await store.putUser({ id, permissions });
    },
    putAgent: async ({ id, policy, keys }) => {
      await store.putAgent({ id, policy, keys: keys.map(publicKeyOf) });
    },
    revoke: (kind, id) => store.revoke({ kind, id }),
    ledger: async () => {
      const rows = [];
      let cursor: string | undefined;
      do {
        const page = await store.queryLedger({ limit: 1000, ...(cursor ? { cursor } : {}) });
        rows.push(...page.records);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return rows;
    },
  };
}

/** The store registers public keys, not thumbprints, so agents are passed with their key pairs. */
function publicKeyOf(agent: { readonly id: string; readonly thumbprint: string }): PublicKeyInput {
  const key: unknown = Reflect.get(agent, "key");
  if (!(key instanceof KeyPair)) {
    throw new TypeError(`Agent "${agent.id}" must be registered with its key pair.`);
  }
  return { publicJwk: key.publicJwk };
}
