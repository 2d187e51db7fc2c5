import { timingSafeEqual } from "node:crypto";
import { type Clock, WritError } from "@writ/core";
import { type ApiKeyRecord, apiKeyHash, parseApiKey } from "@writ/store";
import type { LiveHub } from "../live/live-hub.js";
import type { WritStore } from "../writ-store.js";

/** Keys given to the server itself rather than kept in the store (tests, a secret manager). */
export type ApiKeySource = readonly ApiKeyRecord[] | (() => readonly ApiKeyRecord[]);

export interface ApiKeyVerifierOptions {
  readonly store: WritStore;
  readonly hub: LiveHub;
  readonly clock: Clock;
  /** Keys besides the store's. */
  readonly extra?: ApiKeySource | undefined;
  /** Told when a key's last use could not be recorded (the request goes on). */
  readonly onError: (error: unknown) => void;
}

/** How often one instance records a key's last use. */
const USE_RECORD_INTERVAL_MS = 60_000;
/** Records kept in memory; a key not among them is read from the store again. */
const CACHED_RECORDS = 10_000;

/**
 * Checks presented API keys against their stored hashes, in constant time.
 * Keys live in the store, so every instance accepts the same ones. A record
 * never changes once written, so each instance caches the records it has
 * read; what can change, revocation, is read from the live state on every
 * request, which every instance receives from the store's feed. Expiry is
 * checked against the clock. A key unknown here is looked up in the store
 * (never cached as unknown), so a key made on another instance works at once.
 */
export class ApiKeyVerifier {
  readonly #options: ApiKeyVerifierOptions;
  readonly #records = new Map<string, ApiKeyRecord>();
  readonly #lastRecordedUse = new Map<string, number>();
  #indexedExtra: readonly ApiKeyRecord[] | undefined;
  #extraById = new Map<string, ApiKeyRecord>();

  constructor(options: ApiKeyVerifierOptions) {
    const { extra } = options;
    if (extra !== undefined && typeof extra !== "function" && !Array.isArray(extra)) {
      throw new TypeError("apiKeys must be a list of API key records or a function returning one.");
    }
    this.#options = options;
  }

  /** The record of a valid key; throws auth.invalid otherwise (never saying which part was wrong). */
  async verify(presented: string): Promise<ApiKeyRecord> {
    const parsed = parseApiKey(presented);
    const record = parsed && (await this.#lookup(parsed.id));
    if (parsed && record && this.isUsable(record)) {
      const expected = Buffer.from(record.hash, "hex");
      const actual = Buffer.from(apiKeyHash(parsed.id, parsed.secret), "hex");
      if (expected.length === actual.length && timingSafeEqual(expected, actual)) {
        this.#noteUse(record.id);
        return record;
      }
    }
    throw new WritError("auth.invalid", "The API key is not valid.");
  }

  /** Not revoked (live state) and not expired. */
  isUsable(record: Pick<ApiKeyRecord, "id" | "expiresAt">): boolean {
    const { hub, clock } = this.#options;
    if (hub.isRevoked("api_key", record.id)) return false;
    return record.expiresAt === undefined || clock() < record.expiresAt;
  }

  async #lookup(id: string): Promise<ApiKeyRecord | undefined> {
    const extra = this.#extra(id);
    if (extra) return extra;
    const cached = this.#records.get(id);
    if (cached) return cached;
    const stored = await this.#options.store.findApiKey(id);
    if (!stored) return undefined;
    if (this.#records.size >= CACHED_RECORDS) this.#records.clear();
    this.#records.set(id, stored);
    return stored;
  }

  #extra(id: string): ApiKeyRecord | undefined {
    const { extra } = this.#options;
    if (extra === undefined) return undefined;
    const records = typeof extra === "function" ? extra() : extra;
    if (records !== this.#indexedExtra) {
      this.#extraById = new Map(records.map((record) => [record.id, record]));
      this.#indexedExtra = records;
    }
    return this.#extraById.get(id);
  }

  /** Records the use in the store at most once a minute per key, off the request's path. */
  #noteUse(id: string): void {
    const now = this.#options.clock();
    const last = this.#lastRecordedUse.get(id);
    if (last !== undefined && now - last < USE_RECORD_INTERVAL_MS) return;
    if (this.#lastRecordedUse.size >= CACHED_RECORDS) this.#lastRecordedUse.clear();
    this.#lastRecordedUse.set(id, now);
    this.#options.store.recordApiKeyUse(id, now).catch(this.#options.onError);
  }
}
