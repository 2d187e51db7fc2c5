import type { RevocationKind } from "./live-state.js";

/**
 * Revocations this process has begun and its store has not committed yet,
 * enforced beside the committed ones. Each is counted per revoke() in flight,
 * so a withdrawn attempt does not lift another one still pending; once the
 * committed revocation is in the view it is forgotten here.
 */
export class PendingRevocations {
  readonly #pending = new Map<string, number>();

  get size(): number {
    return this.#pending.size;
  }

  add(kind: RevocationKind, id: string): void {
    const key = keyOf(kind, id);
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
  }

  /** One attempt did not commit. */
  withdraw(kind: RevocationKind, id: string): void {
    const key = keyOf(kind, id);
    const count = this.#pending.get(key);
    if (count === undefined) return;
    if (count > 1) this.#pending.set(key, count - 1);
    else this.#pending.delete(key);
  }

  /** The revocation committed: the view holds it now. */
  committed(kind: RevocationKind, id: string): void {
    this.#pending.delete(keyOf(kind, id));
  }

  /** Forgets every pending revocation `isCommitted` says the view now holds. */
  forgetCommitted(isCommitted: (kind: RevocationKind, id: string) => boolean): void {
    for (const key of this.#pending.keys()) {
      const [kind, id] = targetOf(key);
      if (isCommitted(kind, id)) this.#pending.delete(key);
    }
  }

  has(kind: RevocationKind, id: string): boolean {
    return this.#pending.has(keyOf(kind, id));
  }
}

// A kind never holds a space; an id may hold anything.
function keyOf(kind: RevocationKind, id: string): string {
  return `${kind} ${id}`;
}

function targetOf(key: string): [RevocationKind, string] {
  const space = key.indexOf(" ");
  return [key.slice(0, space) as RevocationKind, key.slice(space + 1)];
}
