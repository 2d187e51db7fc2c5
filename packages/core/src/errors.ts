import type { WritErrorCode } from "./error-registry.js";

export type { WritErrorCode };

/** Structured, non-secret facts about a failure. Never holds tokens, keys or argument values. */
export interface WritErrorDetails {
  /** Index of the hop (0 = root) the failure belongs to. */
  readonly hop?: number;
  /** Index of the grant within its list. */
  readonly grant?: number;
  /** The grant's action, printed in the compact text form where useful. */
  readonly action?: string;
  /** Dotted argument path of the failing constraint. */
  readonly path?: string;
  /** Operator of the failing constraint. */
  readonly operator?: string;
  /** Agent the failure is about. */
  readonly agent?: string;
  /** Name of a set, a key id, or another identifier that is not a secret. */
  readonly name?: string;
  readonly [key: string]: unknown;
}

/**
 * Marks every WritError, whichever copy of @writ/core made it: an application
 * can end up with two copies (one its own, one an adapter's), and their classes
 * differ while their errors mean the same thing.
 */
const WRIT_ERROR = Symbol.for("writ.error");

/** A failure with a stable code from the error registry (see errorSpec). */
export class WritError extends Error {
  override readonly name = "WritError";
  readonly code: WritErrorCode;
  readonly details: WritErrorDetails;

  constructor(
    code: WritErrorCode,
    message: string,
    details: WritErrorDetails = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }

  /** The brand isInstance looks for, on the prototype so it never shows among an error's fields. */
  get [WRIT_ERROR](): true {
    return true;
  }

  /** Whether `value` is a WritError from any copy of @writ/core. */
  static isInstance(value: unknown): value is WritError {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [WRIT_ERROR]?: unknown })[WRIT_ERROR] === true
    );
  }

  /** `instanceof WritError` answers as isInstance does; a subclass keeps the usual rule. */
  static override readonly [Symbol.hasInstance] = function (this: unknown, value: unknown) {
    return this === WritError
      ? WritError.isInstance(value)
      : Function.prototype[Symbol.hasInstance].call(this, value);
  };
}

/** Whether `value` is a WritError, from this copy of @writ/core or another. */
export function isWritError(value: unknown): value is WritError {
  return WritError.isInstance(value);
}
