// setup.ts: what `writ init`, `writ users put` and `writ agents create` do, in code.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyPair } from "@writ/core";
import { sqliteBackend } from "@writ/store";

const dir = process.env.WRIT_DIR ?? ".writ";
const store = await sqliteBackend({ path: join(dir, "writ.db") });
await store.putUser({
  id: "alice",
  permissions: "refunds.approve(amount < 100); refunds.approve(amount < 1000) needs approval",
});
const key = KeyPair.generate();
await store.putAgent({ id: "support-bot", policy: "refunds.*", keys: [key.publicJwk] });
mkdirSync(join(dir, "agents"), { recursive: true, mode: 0o700 });
writeFileSync(join(dir, "agents", "support-bot.jwk"), JSON.stringify(key.exportPrivateJwk()), {
  mode: 0o600,
});
await store.close();
