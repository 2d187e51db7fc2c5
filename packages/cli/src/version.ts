/** The CLI's version, printed by `writ --version`. */
export const VERSION = "0.1.0";
