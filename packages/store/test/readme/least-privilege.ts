/** The README's least-privilege setup: the owner grants a role what a store needs; the app connects as it. */
import { grantPostgresWriter, postgresBackend } from "@writ/store";

export async function openAsWriter(ownerUrl: string, appUrl: string) {
  await grantPostgresWriter({ url: ownerUrl, role: "writ_app" }); // the role must exist
  const store = await postgresBackend({ url: appUrl, migrate: false });
  return store;
}
