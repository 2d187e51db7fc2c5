/** One bounded wait: its deadline (performance.now() ms) and how to refuse it once that passes. */
export class Wait {
  readonly at: number;
  readonly #reject: (error: Error) => void;
  readonly #timeout: () => Error;
  settled = false;

  constructor(at: number, reject: (error: Error) => void, timeout: () => Error) {
    this.at = at;
    this.#reject = reject;
    this.#timeout = timeout;
  }

  expire(): void {
    this.settled = true;
    this.#reject(this.#timeout());
  }
}

/**
 * The waits of one length (every bounded call of a guard waits as long), in
 * the order they began, which is the order their deadlines pass: one timer
 * serves them all, armed for the oldest, instead of a timer set and cleared
 * per call. The timer holds the process open only while a wait is unsettled,
 * as a timer per wait would.
 */
export class DeadlineQueue {
  readonly #ms: number;
  #waits: (Wait | undefined)[] = [];
  #head = 0;
  #open = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Starts a wait that rejects with `timeout()` unless settled within the queue's length. */
  wait(reject: (error: Error) => void, timeout: () => Error): Wait {
    const wait = new Wait(performance.now() + this.#ms, reject, timeout);
    this.#waits.push(wait);
    if (this.#open++ === 0) {
      if (this.#timer === undefined) this.#timer = setTimeout(() => this.#expire(), this.#ms);
      else this.#timer.ref();
    }
    return wait;
  }

  /** The wait's work settled in time: it no longer expires. */
  settle(wait: Wait): void {
    if (wait.settled) return;
    wait.settled = true;
    if (--this.#open === 0) this.#timer?.unref();
    this.#dropSettled();
  }

  #expire(): void {
    const now = performance.now();
    for (let oldest = this.#waits[this.#head]; oldest !== undefined && oldest.at <= now; ) {
      if (!oldest.settled) {
        this.#open--;
        oldest.expire();
      }
      this.#waits[this.#head++] = undefined;
      oldest = this.#waits[this.#head];
    }
    this.#dropSettled();
    const next = this.#waits[this.#head];
    this.#timer = next === undefined ? undefined : setTimeout(() => this.#expire(), next.at - now);
    if (this.#open === 0) this.#timer?.unref();
  }

  /** Forgets the settled waits at the front, so a queue of settled calls holds nothing. */
  #dropSettled(): void {
    const waits = this.#waits;
    while (this.#head < waits.length && (waits[this.#head] as Wait).settled)
      waits[this.#head++] = undefined;
    if (this.#head === waits.length) {
      waits.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > waits.length) {
      this.#waits = waits.slice(this.#head);
      this.#head = 0;
    }
  }
}
