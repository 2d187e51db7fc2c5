import type { ExitClass } from "@writ/core";

/**
 * The `writ` command's exit codes. Scripts can rely on them: they only ever
 * gain members. Which error code ends in which is the error registry's `exit`.
 */
export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** The operation failed (the message says why). */
  failed: 1,
  /** Bad command line: unknown command or flag, missing argument, invalid grant text. */
  usage: 2,
  /** What was named does not exist (user, agent, role, approval, hop…). */
  notFound: 3,
  /** The ledger is broken: `audit verify` found a bad row, or a command met ledger.broken. */
  ledgerBroken: 4,
  /** Unavailable or busy: the store, the Writ server or a service behind them; try again later. */
  unavailable: 5,
  /** Refused: authentication, an invalid or revoked writ, tenancy, missing authority. */
  refused: 6,
} as const satisfies Record<ExitClass | "ok", number>;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
