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
  readonly #seen = new Set<string>();
  // Insertion order is expiry order (every id is kept for the same retention
  // from "now"), so ids expire from the front of a queue. A Map swept from its
  // front would do the same in principle, but V8 leaves a hole per deleted
  // entry that every later sweep walks: quadratic at a few thousand ids a second.
  #ids: string[] = [];
  #expiries: number[] = [];
  #head = 0;
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
    if (this.#seen.has(id)) return "replayed";
    if (this.#seen.size >= this.#capacity) return "full";
    this.#seen.add(id);
    this.#ids.push(id);
    this.#expiries.push(now + this.#retentionMs);
    return "added";
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Forgets ids whose retention ended before `now`; one still retained at `now` stays. */
  #sweep(now: number): void {
    const ids = this.#ids;
    const expiries = this.#expiries;
    let head = this.#head;
    while (head < ids.length && (expiries[head] as number) < now) {
      this.#seen.delete(ids[head] as string);
      head++;
    }
    // Drop the forgotten front once it is most of the queue: amortised O(1) per id.
    if (head > 1024 && head * 2 > ids.length) {
      this.#ids = ids.slice(head);
      this.#expiries = expiries.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}

/** The sustained rate of accepted tokens the default replay cache is sized for (DESIGN §8: 5,000 guarded calls/s). */
export const REPLAY_CACHE_RATE = 5_000;
/** How far above that rate the default still accepts every token: bursts, and a second guard's worth of traffic. */
export const REPLAY_CACHE_HEADROOM = 2;

/**
 * The capacity a replay cache needs so that `ratePerSecond` tokens a second,
 * sustained, never find it full: every id is kept `retentionMs`, so at most
 * rate × retention are held at once; times `headroom`.
 */
export function replayCacheCapacity(
  retentionMs: number,
  ratePerSecond = REPLAY_CACHE_RATE,
  headroom = REPLAY_CACHE_HEADROOM,
): number {
  return Math.ceil((retentionMs / 1000) * ratePerSecond * headroom);
}
