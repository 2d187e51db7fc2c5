import { postgresBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAsWriter } from "./readme/least-privilege.js";
import { createTestDatabase, requirePostgresUrl, withClient } from "./support/postgres-server.js";

const serverUrl = requirePostgresUrl();

if (serverUrl) {
  describe("the README's least-privilege setup", () => {
    let database: { url: string; drop(): Promise<void> };
    beforeAll(async () => {
      database = await createTestDatabase(serverUrl, "readme");
    });
    afterAll(() => database?.drop());

    it("runs the store as writ_app, which appends to the ledger but cannot rewrite it", async () => {
      // The owner migrates; writ_app is a login role it does not own (roles span databases).
      await (await postgresBackend({ url: database.url })).close();
      await withClient(database.url, (client) =>
        client.query(`DO $$ BEGIN
          CREATE ROLE writ_app LOGIN PASSWORD 'writ-app-password';
          EXCEPTION WHEN duplicate_object THEN NULL;
        END $$`),
      );
      const appUrl = new URL(database.url);
      appUrl.username = "writ_app";
      appUrl.password = "writ-app-password";

      const store = await openAsWriter(database.url, appUrl.toString());
      try {
        await store.putUser({ id: "alice", permissions: "docs.read" });
        expect((await store.verifyLedger()).ok).toBe(true);
        await expect(
          withClient(appUrl.toString(), (client) => client.query("DELETE FROM writ_ledger")),
        ).rejects.toThrow(/permission denied|append-only/);
      } finally {
        await store.close();
      }
    });
  });
}
