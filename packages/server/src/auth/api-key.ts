import { createHash, randomBytes } from "node:crypto";
import { isPrincipalId } from "@writ/core/backend";

/**
 * What a key may do. `admin`: everything in its tenant. `guard`: what a
 * remote guard needs (live feed, ledger appends, delegation records,
 * approval requests and their consumption, issuer keys).
 */
export type ApiKeyScope = "admin" | "guard";

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ["admin", "guard"];

/** An API key as it is stored: the secret's hash only, never the secret. */
export interface ApiKeyRecord {
  /** 16 hex digits; part of the key, so the server finds the record without comparing hashes. */
  readonly id: string;
  /** The tenant the key is confined to; absent for an operator key, which spans all tenants. */
  readonly tenant?: string;
  readonly scopes: readonly ApiKeyScope[];
  /** hex SHA-256 of the key id and secret. */
  readonly hash: string;
  readonly label?: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** A freshly created key: `key` is shown once and never stored. */
export interface CreatedApiKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

const KEY_FORMAT = /^writ_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

/**
 * Creates an API key: `writ_<id>.<secret>` with a 256-bit random secret.
 * At rest only a SHA-256 hash is kept: the secret is random, so a slow
 * password hash would add nothing but latency on every request.
 */
export function createApiKey(options: {
  readonly tenant?: string;
  readonly scopes?: readonly ApiKeyScope[];
  readonly label?: string;
  readonly now?: number;
}): CreatedApiKey {
  if (options.tenant !== undefined && !isPrincipalId(options.tenant)) {
    throw new TypeError("An API key's tenant must be a valid tenant id.");
  }
  const scopes = options.scopes ?? ["admin"];
  if (scopes.length === 0 || scopes.some((scope) => !API_KEY_SCOPES.includes(scope))) {
    throw new TypeError(`API key scopes must be some of: ${API_KEY_SCOPES.join(", ")}.`);
  }
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return {
    key: `writ_${id}.${secret}`,
    record: {
      id,
      ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
      scopes: [...new Set(scopes)],
      hash: apiKeyHash(id, secret),
      ...(options.label === undefined ? {} : { label: options.label }),
      createdAt: options.now ?? Date.now(),
    },
  };
}

/** Splits a presented key into id and secret; undefined when it is not a Writ API key. */
export function parseApiKey(
  key: string,
): { readonly id: string; readonly secret: string } | undefined {
  const match = KEY_FORMAT.exec(key);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

export function apiKeyHash(id: string, secret: string): string {
  return createHash("sha256").update(`writ-api-key:${id}:${secret}`).digest("hex");
}
