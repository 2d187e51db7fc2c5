import { existsSync, renameSync } from "node:fs";
import type { ApiKeyRecord, StoreBackend } from "@writ/store";
import type { Project } from "./project.js";

/**
 * Earlier versions kept the server's API keys in `.writ/api-keys.json`.
 * Keys now live in the store, so every server instance accepts the same
 * ones: the first time the CLI opens a project's store with that file, it
 * imports the keys (hashes only, ids already in the store are skipped) and
 * renames the file, so this happens once, and says so.
 */
export async function importApiKeyFile(
  project: Project,
  store: StoreBackend,
  warn: (message: string) => void,
): Promise<void> {
  const file = project.path("api-keys.json");
  if (!existsSync(file)) return;
  const { keys } = project.readJson<{ keys: ApiKeyRecord[] }>("api-keys.json");
  const imported = await store.importApiKeys(keys, "writ CLI: .writ/api-keys.json");
  renameSync(file, `${file}.imported`);
  warn(
    `Imported ${imported} API key${imported === 1 ? "" : "s"} from ${file} into the store${imported < keys.length ? ` (${keys.length - imported} were there already)` : ""}; the file is renamed api-keys.json.imported. Keys live in the store from now on: \`writ api-keys list\`.`,
  );
}
