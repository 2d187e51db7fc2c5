import type { Clock, RandomSource } from "@writ/core";
import type { TestBackend } from "@writ/core/testing";
import { sqliteBackend } from "@writ/store";
import { onTestFinished } from "vitest";
import { storeTestBackend } from "./store-test-backend.js";

export interface SqliteTestBackendOptions {
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** Who closes the store. Default: the test that opened it, when it finishes. */
  readonly closeWith?: (close: () => Promise<void>) => void;
}

/** The backend the adapters' tests run on: the real SQLite store, in memory. */
export async function sqliteTestBackend(
  options: SqliteTestBackendOptions = {},
): Promise<TestBackend> {
  const { closeWith = (close) => onTestFinished(close), ...storeOptions } = options;
  const store = await sqliteBackend({ path: ":memory:", ...storeOptions });
  closeWith(() => store.close());
  return storeTestBackend(store);
}
