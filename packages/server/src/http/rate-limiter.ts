/** A token bucket per key: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * Token buckets for many keys (API keys, client addresses) in bounded
 * memory: the least recently used bucket is forgotten first, which can only
 * make a forgotten client's next request succeed, never block another.
 */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #buckets = new Map<string, Bucket>();
  readonly #capacity: number;

  constructor(limit: RateLimit, capacity = 100_000) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
      throw new TypeError("A rate limit needs perSecond > 0 and burst ≥ 1.");
    }
    this.#limit = limit;
    this.#capacity = capacity;
  }

  /** Takes one token; returns 0 when allowed, otherwise the seconds to wait. */
  take(key: string, now: number): number {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, updated: now };
    this.#buckets.delete(key);
    bucket.tokens = Math.min(
      this.#limit.burst,
      // A clock that steps back refills nothing, rather than draining the bucket.
      bucket.tokens + (Math.max(0, now - bucket.updated) / 1000) * this.#limit.perSecond,
    );
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#capacity) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.#limit.perSecond);
  }
}
