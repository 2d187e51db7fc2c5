import type { Backend } from "@writ/core";
import type { StoreAdmin, StoreBackend } from "@writ/store";

/**
 * What the server runs on: a store's Backend and admin API, and the API keys
 * it verifies (sqliteBackend() or postgresBackend()).
 */
export type WritStore = Backend &
  StoreAdmin &
  Pick<
    StoreBackend,
    | "findApiKey"
    | "recordApiKeyUse"
    | "createConsoleSession"
    | "getConsoleSession"
    | "endConsoleSession"
    | "ledgerChains"
    | "listRootHops"
    | "oauthState"
  >;
