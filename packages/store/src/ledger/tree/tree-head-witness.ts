import type { SignedTreeHead } from "@writ/core/backend";

/**
 * Keeps a copy of every tree head a store signs outside the store: a file on
 * another disk or host (fileWitness), an HTTP endpoint (webhookWitness), or
 * your own function. Deleting rows and tree heads inside the database is then
 * caught by `verifyLedger({ against })` with the copy.
 */
export type TreeHeadWitness = (head: SignedTreeHead) => void | Promise<void>;
