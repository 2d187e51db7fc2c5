/**
 * Remembers token ids until they could no longer pass the freshness check, so
 * each token is accepted once. An id added at `t` is remembered through
 * `t + retentionMs` inclusive: give as retention the longest time after its
 * first acceptance that a token can still be accepted, boundaries included.
 * Memory is bounded: when the cache is full of ids that are still fresh, new
 * tokens are refused (fail closed) rather than forgetting an id that could
 * then be replayed.
 */
export class ReplayCache {
  // Insertion order is expiry order: every entry is kept for the same retention from "now".
  readonly #expiries = new Map<string, number>();
  readonly #capacity: number;
  readonly #retentionMs: number;

  constructor(capacity: number, retentionMs: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`replayCacheSize must be a positive integer, got ${capacity}.`);
    }
    this.#capacity = capacity;
    this.#retentionMs = retentionMs;
  }

  /** Records `id` at `now` (epoch ms). */
  add(id: string, now: number): "added" | "replayed" | "full" {
    this.#sweep(now);
    if (this.#expiries.has(id)) return "replayed";
    if (this.#expiries.size >= this.#capacity) return "full";
    this.#expiries.set(id, now + this.#retentionMs);
    return "added";
  }

  get size(): number {
    return this.#expiries.size;
  }

  /** Forgets ids whose retention ended before `now`; one still retained at `now` stays. */
  #sweep(now: number): void {
    for (const [id, expiry] of this.#expiries) {
      if (expiry >= now) return;
      this.#expiries.delete(id);
    }
  }
}
