import { postgresBackend } from "@writ/store";
import { afterAll, beforeAll, describe } from "vitest";
import { credentialStoreSuite } from "../../../test/backend/credential-store-suite.js";
import { createTestDatabase, requirePostgresUrl } from "./support/postgres-server.js";

const serverUrl = requirePostgresUrl();

if (serverUrl) {
  let database: { url: string; drop(): Promise<void> };
  let schemas = 0;

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl, "credentials");
  });

  afterAll(async () => {
    await database?.drop();
  });

  credentialStoreSuite("PostgreSQL server", {
    open: () =>
      postgresBackend({ url: database.url, schema: `credentials_${++schemas}`, poolSize: 4 }),
  });
} else {
  describe.skip("credential store suite: PostgreSQL server (set WRIT_TEST_POSTGRES_URL to run it; CI always does)", () =>
    undefined);
}
