import { WritError } from "../errors.js";
import type { AllowDecision } from "../guard/decision.js";
import type { Session } from "../session.js";

/** A call the guard allowed, running now: what a tool inside it may ask for. */
export interface RunningCall {
  readonly decision: AllowDecision;
  /**
   * The session the call was made with, where the adapter holds it (an MCP
   * server never does: the session and its key stay with the client).
   */
  readonly session?: Session;
}

/**
 * The allowed calls running now, findable from what the framework hands the
 * tool (its options, its config, its request context), so a tool can ask for
 * its own call: `allowedCall(…)` in every adapter. A call is findable from
 * when its tool starts until it returns, or until its stream ends; never
 * before the guard allowed it, never after its outcome.
 */
export class RunningCalls {
  /** By an object the framework hands the tool, then by an id within it. */
  readonly #calls = new WeakMap<object, Map<string, RunningCall>>();

  /** Runs `execute` with `call` findable under (owner, id) until it settles. */
  async within<T>(
    owner: object,
    id: string,
    call: RunningCall,
    execute: () => T | Promise<T>,
  ): Promise<T> {
    this.#enter(owner, id, call);
    try {
      return await execute();
    } finally {
      this.#leave(owner, id, call);
    }
  }

  /** A stream's values, with `call` findable under (owner, id) until the stream ends. */
  async *streamWithin<T>(
    owner: object,
    id: string,
    call: RunningCall,
    stream: () => AsyncIterable<T>,
  ): AsyncGenerator<T, void, undefined> {
    this.#enter(owner, id, call);
    try {
      yield* stream();
    } finally {
      this.#leave(owner, id, call);
    }
  }

  /** The call running under (owner, id), if one is. */
  find(owner: unknown, id: string | undefined): RunningCall | undefined {
    if (owner === null || typeof owner !== "object" || id === undefined) return undefined;
    return this.#calls.get(owner)?.get(id);
  }

  /**
   * The allow decision of the call running under (owner, id); anywhere else
   * the WritError `credential.outside_call`, whose message is `usage`: where
   * the adapter's allowedCall works.
   */
  allowedCall(owner: unknown, id: string | undefined, usage: string): AllowDecision {
    const running = this.find(owner, id);
    if (running === undefined) throw new WritError("credential.outside_call", usage);
    return running.decision;
  }

  #enter(owner: object, id: string, call: RunningCall): void {
    const calls = this.#calls.get(owner) ?? new Map<string, RunningCall>();
    this.#calls.set(owner, calls);
    calls.set(id, call);
  }

  #leave(owner: object, id: string, call: RunningCall): void {
    const calls = this.#calls.get(owner);
    if (calls?.get(id) === call) calls.delete(id);
    if (calls?.size === 0) this.#calls.delete(owner);
  }
}
