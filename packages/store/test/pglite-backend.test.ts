import { PGlite } from "@electric-sql/pglite";
import { seededRandom } from "@writ/core/testing";
import { pgliteBackend } from "@writ/store/pglite";
import { afterAll, beforeAll } from "vitest";
import { backendSuite } from "../../../test/backend/backend-suite.js";

// One PGlite instance (it takes seconds to start); every test gets a fresh schema in it.
let client: PGlite;
let schemas = 0;

beforeAll(async () => {
  client = await PGlite.create();
}, 60_000);

afterAll(async () => {
  await client.close();
});

backendSuite("PGlite (the Postgres dialect, in process)", {
  open: (clock) =>
    pgliteBackend({
      client,
      schema: `suite_${++schemas}`,
      clock,
      random: seededRandom(`pglite-${schemas}`),
    }),
});
