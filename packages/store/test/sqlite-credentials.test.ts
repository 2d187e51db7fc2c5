import { sqliteBackend } from "@writ/store";
import { credentialStoreSuite } from "../../../test/backend/credential-store-suite.js";

credentialStoreSuite("SQLite (:memory:)", {
  open: async () => sqliteBackend({ path: ":memory:" }),
});
