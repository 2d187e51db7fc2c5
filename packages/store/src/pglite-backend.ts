import type { PGlite } from "@electric-sql/pglite";
import type { Listen } from "./live/notify-live-feed.js";
import { openPostgresStore, type PostgresStoreOptions } from "./postgres/open-postgres-store.js";
import { PostgresDriver } from "./sql/postgres-driver.js";
import type { StoreBackend } from "./store-backend.js";

export interface PgliteBackendOptions extends PostgresStoreOptions {
  /** An open PGlite instance; the caller owns it (closing the backend leaves it open). */
  readonly client: PGlite;
}

/**
 * A store on PGlite (Postgres compiled to WebAssembly, in process): the
 * Postgres dialect, schema and live feed with no server. For tests, demos and single-process tools; several stores may share
 * one PGlite instance with different schemas.
 */
export async function pgliteBackend(options: PgliteBackendOptions): Promise<StoreBackend> {
  const { client } = options;
  const where = "The PGlite database";
  const driver = new PostgresDriver(client, where, {
    // PGlite has one connection: its transaction() keeps other queries out until it ends.
    transaction: (work) => client.transaction((tx) => work(tx)),
    onClose: async () => undefined,
    multiStatement: false,
  });
  const listen: Listen = async (channel, onNotify) => {
    const unlisten = await client.listen(channel, onNotify);
    return {
      query: async (text) => (await client.query<Record<string, unknown>>(text)).rows,
      close: () => unlisten(),
    };
  };
  return openPostgresStore(driver, listen, where, options);
}
