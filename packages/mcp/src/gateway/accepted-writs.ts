/** How many writs the gateway remembers; past it, the one accepted longest ago is forgotten. */
const CAPACITY = 1024;

/**
 * Who the writs the gateway accepted act for (their principal: tenant, user,
 * leaf agent). A guarded request whose writ is here needs no check of its
 * own before the guard decides it: the guard verifies the writ whole, against
 * live state and current policy, before anything runs, and refuses a writ
 * that is no longer valid with the challenge the check would have answered.
 * Checking it here too would do that work twice on every call. Every other
 * request is checked, and a writ found invalid is forgotten.
 */
export class AcceptedWrits {
  readonly #principals = new Map<string, string>();

  principal(writ: string): string | undefined {
    return this.#principals.get(writ);
  }

  remember(writ: string, principal: string): void {
    if (this.#principals.size >= CAPACITY && !this.#principals.has(writ)) {
      this.#principals.delete(this.#principals.keys().next().value as string);
    }
    this.#principals.set(writ, principal);
  }

  forget(writ: string): void {
    this.#principals.delete(writ);
  }
}
