import type { Backend } from "@writ/core";
import { overrideBackend, type TestBackend } from "@writ/core/testing";
import type { StoreAdmin } from "@writ/store";
import { allLedgerRows } from "./ledger-rows.js";

/** A store, or a Writ server through the client, seen through the TestBackend calls of its admin API. */
export function storeTestBackend(store: Backend & StoreAdmin): TestBackend {
  return {
    ...overrideBackend(store, {}),
    putUser: async ({ id, tenant, permissions }) => {
      await store.putUser({ id, permissions, ...(tenant === undefined ? {} : { tenant }) });
    },
    putAgent: async ({ id, tenant, policy, keys }) => {
      await store.putAgent({ id, policy, keys, ...(tenant === undefined ? {} : { tenant }) });
    },
    removeAgent: async (id) => {
      await store.removeAgent(id);
    },
    revoke: (kind, id, reason) =>
      store.revoke({ kind, id, ...(reason === undefined ? {} : { reason }) }),
    ledger: () => allLedgerRows(store),
  };
}
