import { type Clock, KeyPair, type RandomSource } from "@writ/core";
import { overrideBackend } from "@writ/core/testing";
import { type PublicKeyInput, sqliteBackend } from "@writ/store";
import { onTestFinished } from "vitest";
import { allLedgerRows } from "../support/ledger-rows.js";
import type { ConformanceBackend } from "./adapter-conformance.js";

export interface SqliteConformanceBackendOptions {
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** Who closes the store. Default: the test that opened it, when it finishes. */
  readonly closeWith?: (close: () => Promise<void>) => void;
}

/**
 * The backend the adapters' tests run on: the real SQLite store, in memory,
 * seen through the conformance suite's admin calls (users, agents,
 * revocations, the ledger).
 */
export async function sqliteConformanceBackend(
  options: SqliteConformanceBackendOptions = {},
): Promise<ConformanceBackend> {
  const { closeWith = (close) => onTestFinished(close), ...storeOptions } = options;
  const store = await sqliteBackend({ path: ":memory:", ...storeOptions });
  closeWith(() => store.close());
  return {
    ...overrideBackend(store, {}),
    putUser: async ({ id, permissions }) => {
      await store.putUser({ id, permissions });
    },
    putAgent: async ({ id, policy, keys }) => {
      await store.putAgent({ id, policy, keys: keys.map(publicKeyOf) });
    },
    revoke: (kind, id) => store.revoke({ kind, id }),
    ledger: () => allLedgerRows(store),
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
