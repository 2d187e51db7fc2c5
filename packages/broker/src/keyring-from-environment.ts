import { CredentialKeyring, type KeyEncryptionKey } from "./credential-keyring.js";

/** The variable keyringFromEnvironment() reads by default. */
export const KEK_VARIABLE = "WRIT_BROKER_KEK";

/**
 * The broker's keyring from an environment variable (default
 * `WRIT_BROKER_KEK`): comma-separated `id:base64` entries, the first one
 * active, e.g. `k2026b:…,k2026a:…` while re-wrapping from `k2026a` to
 * `k2026b`. A single entry may leave out its id: it is then `default`. Make a
 * key with `openssl rand -base64 32`.
 */
export function keyringFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  variable: string = KEK_VARIABLE,
): CredentialKeyring {
  const value = env[variable]?.trim();
  if (!value) {
    throw new TypeError(
      `${variable} is not set: give the broker a key-encryption key (\`openssl rand -base64 32\`), as "id:base64" entries separated by commas, the active one first.`,
    );
  }
  const entries = value.split(",").map((entry) => entry.trim());
  const keys: KeyEncryptionKey[] = entries.map((entry, index) => {
    const colon = entry.indexOf(":");
    if (colon < 0) {
      if (entries.length > 1) {
        // Never echo the entry: it is key material.
        throw new TypeError(
          `${variable} entry ${index + 1} has no id: with several keys, write each as "id:base64".`,
        );
      }
      return { id: "default", key: entry };
    }
    return { id: entry.slice(0, colon), key: entry.slice(colon + 1) };
  });
  return new CredentialKeyring({ keys });
}
