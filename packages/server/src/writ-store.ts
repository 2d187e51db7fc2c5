import type { Backend } from "@writ/core";
import type { StoreAdmin } from "@writ/store";

/** What the server runs on: a store's Backend and admin API (sqliteBackend() or postgresBackend()). */
export type WritStore = Backend & StoreAdmin;
