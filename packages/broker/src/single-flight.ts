/**
 * In-process single flight: callers asking for the same `key` while its work
 * runs share that one run, and runs in the same `lane` (a connection) go one
 * after another. A provider that rotates refresh tokens accepts each one
 * once, so two refreshes of one connection must never overlap, even for
 * different scope sets.
 */
export class SingleFlight {
  readonly #running = new Map<string, Promise<unknown>>();
  readonly #lanes = new Map<string, Promise<unknown>>();

  run<T>(lane: string, key: string, work: () => Promise<T>): Promise<T> {
    const id = `${lane}\u0000${key}`;
    const running = this.#running.get(id);
    if (running !== undefined) return running as Promise<T>;
    const previous = this.#lanes.get(lane) ?? Promise.resolve();
    // The previous run's failure is its callers' business; this run starts after it either way.
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#running.set(id, run);
    this.#lanes.set(lane, settled);
    void settled.then(() => {
      this.#running.delete(id);
      if (this.#lanes.get(lane) === settled) this.#lanes.delete(lane);
    });
    return run;
  }
}
