/**
 * The `writ` command's exit codes. Scripts can rely on them: they only ever
 * gain members.
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
  /** `audit verify` found the ledger broken. */
  ledgerBroken: 4,
  /** The store or the Writ server could not be reached. */
  unavailable: 5,
  /** Refused: authentication, tenancy, revocation or missing authority. */
  refused: 6,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
