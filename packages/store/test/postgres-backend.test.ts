import { seededRandom } from "@writ/core/testing";
import { postgresBackend } from "@writ/store";
import { afterAll, beforeAll, describe } from "vitest";
import { backendSuite } from "../../../test/backend/backend-suite.js";
import { createTestDatabase, requirePostgresUrl } from "./support/postgres-server.js";

const serverUrl = requirePostgresUrl();

if (serverUrl) {
  let database: { url: string; drop(): Promise<void> };
  let schemas = 0;

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl, "suite");
  });

  afterAll(async () => {
    await database?.drop();
  });

  backendSuite("PostgreSQL server", {
    open: (clock) =>
      postgresBackend({
        url: database.url,
        schema: `suite_${++schemas}`,
        clock,
        random: seededRandom(`postgres-${schemas}`),
        poolSize: 4,
      }),
  });
} else {
  describe.skip("backend suite: PostgreSQL server (set WRIT_TEST_POSTGRES_URL to run it; CI always does)", () =>
    undefined);
}
