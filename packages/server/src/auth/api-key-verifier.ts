import { timingSafeEqual } from "node:crypto";
import { WritError } from "@writ/core";
import { type ApiKeyRecord, apiKeyHash, parseApiKey } from "./api-key.js";

/** Where the server reads its API keys: a list, or a function returning the current list (re-read from a file). */
export type ApiKeySource = readonly ApiKeyRecord[] | (() => readonly ApiKeyRecord[]);

/** Finds and checks presented API keys against their stored hashes, in constant time. */
export class ApiKeyVerifier {
  readonly #source: () => readonly ApiKeyRecord[];
  #indexed: readonly ApiKeyRecord[] | undefined;
  #byId = new Map<string, ApiKeyRecord>();

  constructor(source: ApiKeySource) {
    if (typeof source !== "function" && !Array.isArray(source)) {
      throw new TypeError("apiKeys must be a list of API key records or a function returning one.");
    }
    this.#source = typeof source === "function" ? source : () => source;
  }

  /** The record of a valid key; throws auth.invalid otherwise (never saying which part was wrong). */
  verify(presented: string): ApiKeyRecord {
    const parsed = parseApiKey(presented);
    const record = parsed && this.#lookup(parsed.id);
    if (parsed && record) {
      const expected = Buffer.from(record.hash, "hex");
      const actual = Buffer.from(apiKeyHash(parsed.id, parsed.secret), "hex");
      if (expected.length === actual.length && timingSafeEqual(expected, actual)) return record;
    }
    throw new WritError("auth.invalid", "The API key is not valid.");
  }

  #lookup(id: string): ApiKeyRecord | undefined {
    const records = this.#source();
    if (records !== this.#indexed) {
      this.#byId = new Map(records.map((record) => [record.id, record]));
      this.#indexed = records;
    }
    return this.#byId.get(id);
  }
}
