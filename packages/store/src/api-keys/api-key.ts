import { hash, randomBytes } from "node:crypto";
import {
  API_KEY_SCOPES,
  type ApiKeyRecord,
  type ApiKeyScope,
  type CreateApiKeyInput,
  isPrincipalId,
} from "@writ/core/backend";

/** A freshly created key: `key` is shown once and never stored. */
export interface CreatedApiKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

/** What a new key is made of: what the store is asked for, at a given time. */
export interface ApiKeyOptions extends Omit<CreateApiKeyInput, "by"> {
  /** Creation time, epoch ms. Default now. */
  readonly now?: number;
}

const KEY_FORMAT = /^writ_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;
const MAX_LABEL_LENGTH = 200;

/**
 * Creates an API key: `writ_<id>.<secret>` with a 256-bit random secret.
 * At rest only a SHA-256 hash is kept: the secret is random, so a slow
 * password hash would add nothing but latency on every request.
 */
export function createApiKey(options: ApiKeyOptions = {}): CreatedApiKey {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const now = options.now ?? Date.now();
  const record: ApiKeyRecord = {
    id,
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    scopes: [...new Set<ApiKeyScope>(options.scopes ?? ["admin"])],
    hash: apiKeyHash(id, secret),
    ...(options.label === undefined ? {} : { label: options.label }),
    createdAt: now,
    ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
  };
  checkApiKeyRecord(record);
  return { key: `writ_${id}.${secret}`, record };
}

/** Throws a TypeError for a record no key could have (caller misuse, or a hand-edited key file). */
export function checkApiKeyRecord(record: ApiKeyRecord): void {
  if (record === null || typeof record !== "object")
    throw new TypeError("An API key record must be an object.");
  if (typeof record.id !== "string" || !/^[0-9a-f]{16}$/.test(record.id))
    throw new TypeError("An API key's id must be 16 hex digits.");
  if (record.tenant !== undefined && !isPrincipalId(record.tenant))
    throw new TypeError("An API key's tenant must be a valid tenant id.");
  if (
    !Array.isArray(record.scopes) ||
    record.scopes.length === 0 ||
    record.scopes.some((scope) => !API_KEY_SCOPES.includes(scope))
  ) {
    throw new TypeError(`API key scopes must be some of: ${API_KEY_SCOPES.join(", ")}.`);
  }
  if (typeof record.hash !== "string" || !/^[0-9a-f]{64}$/.test(record.hash))
    throw new TypeError("An API key's hash must be 64 hex digits.");
  if (
    record.label !== undefined &&
    (typeof record.label !== "string" || record.label.length > MAX_LABEL_LENGTH)
  ) {
    throw new TypeError(
      `An API key's label must be text of at most ${MAX_LABEL_LENGTH} characters.`,
    );
  }
  if (!Number.isSafeInteger(record.createdAt) || record.createdAt < 0)
    throw new TypeError("An API key's createdAt must be epoch milliseconds.");
  if (
    record.expiresAt !== undefined &&
    (!Number.isSafeInteger(record.expiresAt) || record.expiresAt <= record.createdAt)
  ) {
    throw new TypeError("An API key's expiresAt must be epoch milliseconds after its creation.");
  }
}

/** Splits a presented key into id and secret; undefined when it is not a Writ API key. */
export function parseApiKey(
  key: string,
): { readonly id: string; readonly secret: string } | undefined {
  const match = KEY_FORMAT.exec(key);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

export function apiKeyHash(id: string, secret: string): string {
  return hash("sha256", `writ-api-key:${id}:${secret}`, "hex");
}
