import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { WritError } from "@writ/core";
import type { SealedValue } from "@writ/core/backend";

/** A key-encryption key (KEK): 32 random bytes, named by an id that is stored beside what it seals. */
export interface KeyEncryptionKey {
  /** 1–64 characters from letters, digits, `_` and `-`. Stored in clear: never derive it from the key. */
  readonly id: string;
  /** The 32-byte AES-256 key, raw or base64 (standard or url-safe). */
  readonly key: Uint8Array | string;
}

export interface CredentialKeyringOptions {
  /** Every key that may have sealed something still stored. */
  readonly keys: readonly KeyEncryptionKey[];
  /** The key new values are sealed under. Default: the first. */
  readonly active?: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FORMAT = "wk1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

/**
 * The key-encryption keys tokens are sealed under (envelope encryption with
 * AES-256-GCM): each value gets its own random data key, which is encrypted
 * under the active KEK and stored with the value, so rotating a KEK re-wraps
 * 32-byte data keys and never touches the token ciphertext. Every value is
 * bound to where it is stored (its `context`: connection, field, scope set),
 * so a ciphertext copied to another row does not open. Keys never appear in
 * messages, JSON or inspection.
 */
export class CredentialKeyring {
  readonly activeKeyId: string;
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(options: CredentialKeyringOptions) {
    if (options === null || typeof options !== "object" || !Array.isArray(options.keys)) {
      throw new TypeError("A credential keyring needs { keys: [{ id, key }] }.");
    }
    const keys = new Map<string, Buffer>();
    for (const entry of options.keys) {
      if (typeof entry?.id !== "string" || !KEY_ID.test(entry.id)) {
        throw new TypeError(
          "A key-encryption key id is 1–64 characters from letters, digits, _ and -.",
        );
      }
      if (keys.has(entry.id))
        throw new TypeError(`Key-encryption key "${entry.id}" is listed twice.`);
      keys.set(entry.id, keyBytes(entry.key, entry.id));
    }
    const active = options.active ?? options.keys[0]?.id;
    if (active === undefined)
      throw new TypeError("A credential keyring needs at least one key-encryption key.");
    if (!keys.has(active)) throw new TypeError(`The active key "${active}" is not in the keyring.`);
    this.activeKeyId = active;
    this.#keys = keys;
  }

  /** The ids of every key, active first. */
  get keyIds(): readonly string[] {
    return [this.activeKeyId, ...[...this.#keys.keys()].filter((id) => id !== this.activeKeyId)];
  }

  /** Encrypts `plaintext` under a fresh data key wrapped by the active KEK, bound to `context`. */
  seal(plaintext: string, context: string): SealedValue {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const content = encrypt(dataKey, Buffer.from(plaintext, "utf8"), Buffer.from(context, "utf8"));
    return this.#envelope(
      this.activeKeyId,
      wrap(this.#kek(this.activeKeyId), this.activeKeyId, dataKey),
      content,
    );
  }

  /** Decrypts a sealed value stored under `context`; `key.unknown` or `store.corrupt` when it cannot. */
  open(value: SealedValue, context: string): string {
    const { keyId, wrapped, content } = parseEnvelope(value);
    const dataKey = unwrap(this.#kek(keyId), keyId, wrapped);
    return decrypt(dataKey, content, Buffer.from(context, "utf8")).toString("utf8");
  }

  /** The same value with its data key wrapped under the active KEK instead (the content is untouched). */
  rewrap(value: SealedValue): SealedValue {
    const { keyId, wrapped, content } = parseEnvelope(value);
    const dataKey = unwrap(this.#kek(keyId), keyId, wrapped);
    return this.#envelope(
      this.activeKeyId,
      wrap(this.#kek(this.activeKeyId), this.activeKeyId, dataKey),
      content,
    );
  }

  toJSON(): { readonly activeKeyId: string; readonly keyIds: readonly string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `CredentialKeyring { activeKeyId: ${JSON.stringify(this.activeKeyId)}, keys: ${this.#keys.size} }`;
  }

  #kek(keyId: string): Buffer {
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      throw new WritError(
        "key.unknown",
        `A stored credential is sealed under key-encryption key "${keyId}", which is not in the broker's keyring: add it back, and re-wrap before removing a key.`,
        { name: keyId },
      );
    }
    return key;
  }

  #envelope(keyId: string, wrapped: Buffer, content: Buffer): SealedValue {
    return {
      keyId,
      ciphertext: `${FORMAT}.${keyId}.${wrapped.toString("base64url")}.${content.toString("base64url")}`,
    };
  }
}

function keyBytes(key: Uint8Array | string, id: string): Buffer {
  const bytes =
    typeof key === "string"
      ? Buffer.from(key.replaceAll("-", "+").replaceAll("_", "/"), "base64")
      : Buffer.from(key);
  if (bytes.length !== 32) {
    throw new TypeError(
      `Key-encryption key "${id}" must be 32 bytes (base64 of 32 random bytes: \`openssl rand -base64 32\`).`,
    );
  }
  return bytes;
}

function parseEnvelope(value: SealedValue): {
  keyId: string;
  wrapped: Buffer;
  content: Buffer;
} {
  const parts = typeof value?.ciphertext === "string" ? value.ciphertext.split(".") : [];
  const [format, keyId, wrapped, content] = parts;
  if (
    parts.length !== 4 ||
    format !== FORMAT ||
    keyId === undefined ||
    keyId !== value.keyId ||
    wrapped === undefined ||
    content === undefined
  ) {
    throw corrupt();
  }
  return {
    keyId,
    wrapped: Buffer.from(wrapped, "base64url"),
    content: Buffer.from(content, "base64url"),
  };
}

/** The data key under the KEK, bound to the KEK's id. */
function wrap(kek: Buffer, keyId: string, dataKey: Buffer): Buffer {
  return encrypt(kek, dataKey, Buffer.from(`writ.kek:${keyId}`, "utf8"));
}

function unwrap(kek: Buffer, keyId: string, wrapped: Buffer): Buffer {
  return decrypt(kek, wrapped, Buffer.from(`writ.kek:${keyId}`, "utf8"));
}

/** AES-256-GCM: iv ‖ ciphertext ‖ tag. */
function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw corrupt();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw corrupt();
  }
}

function corrupt(): WritError {
  return new WritError(
    "store.corrupt",
    "A stored credential did not authenticate: it was altered, or copied from another record.",
  );
}
