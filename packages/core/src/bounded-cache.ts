/**
 * A Map with a size bound that forgets its oldest entries first. Used for
 * memoized verification, where forgetting only costs a recomputation.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;
  /**
   * The keys from the oldest on. A Map iterates in insertion order, skips the
   * keys deleted before it reaches them and goes on to keys added after it
   * started, so one long-lived iterator names each oldest entry in turn. A
   * fresh iterator per eviction would walk again every hole that deletes
   * leave at the front of V8's table: ≈ 7 µs an eviction at 10,000 entries.
   * It never runs out when it is asked: every key it passed was evicted, so
   * every entry held is still ahead of it. Made at the first eviction: until
   * it moves, it holds on to the tables the Map outgrew.
   */
  #oldest: Iterator<K> | undefined;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`A cache capacity must be a positive integer, got ${capacity}.`);
    }
    this.#capacity = capacity;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      this.#oldest ??= this.#entries.keys();
      this.#entries.delete(this.#oldest.next().value as K);
    }
    this.#entries.set(key, value);
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
