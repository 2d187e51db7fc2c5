import type { PageQuery } from "./page.js";

/**
 * What a key of the Writ server may do. `admin`: everything in its tenant.
 * `approve`: read everything and decide approvals. `read`: read the
 * directory, approvals, delegations, revocations and the ledger. `guard`:
 * what a remote guard needs (live feed, ledger appends, delegation records,
 * approval requests and their consumption, issuer keys, provider tokens for
 * allowed calls).
 */
export type ApiKeyScope = "admin" | "approve" | "read" | "guard";

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ["admin", "approve", "read", "guard"];

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
  /** Epoch ms; absent: the key does not expire. */
  readonly expiresAt?: number;
}

/** An API key as the store keeps it: its hash, who made it, when it was last used, and its revocation. */
export interface StoredApiKey extends ApiKeyRecord {
  /** Who created it (an API key id, a console user, the CLI's user). */
  readonly createdBy?: string;
  /** Epoch ms, recorded at most once a minute per server instance. */
  readonly lastUsedAt?: number;
  /** Revoked keys are refused by every server instance; revocations are permanent. */
  readonly revoked?: { readonly at: number; readonly reason?: string };
}

/** An API key as lists and the API show it: everything but the hash. */
export type ApiKeyInfo = Omit<StoredApiKey, "hash">;

export interface CreateApiKeyInput {
  readonly tenant?: string;
  /** Default ["admin"]. */
  readonly scopes?: readonly ApiKeyScope[];
  readonly label?: string;
  /** Epoch ms after which the key is refused. Default: never. */
  readonly expiresAt?: number;
  /** Who creates it: recorded with the key and in the ledger. */
  readonly by?: string;
}

/** A key the store created: `key` is shown this once; the store keeps its hash. */
export interface IssuedApiKey {
  readonly key: string;
  readonly apiKey: ApiKeyInfo;
}

export interface ApiKeyQuery extends PageQuery {
  /** Only this tenant's keys. */
  readonly tenant?: string;
}
