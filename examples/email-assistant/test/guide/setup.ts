// setup.ts: what `writ init`, `writ users put` and `writ agents create` do, in code.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyPair } from "@writ/core";
import { sqliteBackend } from "@writ/store";

const dir = process.env.WRIT_DIR ?? ".writ";
const store = await sqliteBackend({ path: join(dir, "writ.db") });
await store.putUser({
  id: "sam",
  permissions: "email.send(to in @crm.contacts); email.send needs approval; email.delete",
});
const key = KeyPair.generate();
await store.putAgent({ id: "mail-bot", policy: "email.send", keys: [key.publicJwk] });
mkdirSync(join(dir, "agents"), { recursive: true, mode: 0o700 });
writeFileSync(join(dir, "agents", "mail-bot.jwk"), JSON.stringify(key.exportPrivateJwk()), {
  mode: 0o600,
});
await store.close();
