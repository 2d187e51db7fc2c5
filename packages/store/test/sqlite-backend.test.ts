import { seededRandom } from "@writ/core/testing";
import { sqliteBackend } from "@writ/store";
import { backendSuite } from "../../../test/backend/backend-suite.js";

backendSuite("SQLite (:memory:)", {
  open: (clock) => sqliteBackend({ path: ":memory:", clock, random: seededRandom("sqlite-suite") }),
});
