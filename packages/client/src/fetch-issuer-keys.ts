import { type IssuerKeys, issuerKeysFromJwks, type JsonWebKeySet, WritError } from "@writ/core";

/** The issuer keys of a Writ server, fetched from its public endpoints, for createGuard({ issuer }). */
export interface RemoteIssuerKeys extends IssuerKeys {
  /** Fetches the keys again (after a rotation or a retirement). */
  refresh(): Promise<void>;
}

/**
 * Pins a Writ server's issuer: its id (from /.well-known/writ-configuration)
 * and its public keys (/.well-known/jwks.json). Only public keys travel;
 * call refresh() after the server rotates or retires a key.
 */
export async function fetchIssuerKeys(options: {
  readonly url: string;
  readonly fetch?: typeof fetch;
}): Promise<RemoteIssuerKeys> {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  const get = async <T>(path: string): Promise<T> => {
    try {
      const response = await doFetch(new URL(path, base));
      if (!response.ok) throw new Error(`status ${response.status}`);
      return (await response.json()) as T;
    } catch (error) {
      throw new WritError(
        "store.unavailable",
        `The Writ server's ${path} could not be read.`,
        {},
        error,
      );
    }
  };
  const { issuer } = await get<{ issuer: string }>(".well-known/writ-configuration");
  let jwks = await get<JsonWebKeySet>(".well-known/jwks.json");
  let keys = issuerKeysFromJwks(issuer, jwks);
  return {
    issuer,
    publicKey: (kid) => keys.publicKey(kid),
    refresh: async () => {
      jwks = await get<JsonWebKeySet>(".well-known/jwks.json");
      keys = issuerKeysFromJwks(issuer, jwks);
    },
  };
}
