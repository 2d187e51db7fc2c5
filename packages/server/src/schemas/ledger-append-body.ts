import type { z } from "@hono/zod-openapi";
import { invalidRequest } from "../http/invalid-request.js";
import { LedgerAppendSchema } from "./ledger-schemas.js";

export type LedgerAppendBody = z.output<typeof LedgerAppendSchema>;

/**
 * `POST /v1/ledger/append`'s body, validated by its documented schema.
 * Every remote decision sends one, and the OpenAPI route validator runs Zod's
 * asynchronous parse (about 9 µs for a decision and an outcome row); the
 * schema has no asynchronous rule, so the synchronous parse (about 4 µs)
 * decides the same and words a refusal as every route's.
 */
export function ledgerAppendBody(body: unknown): LedgerAppendBody {
  const result = LedgerAppendSchema.safeParse(body);
  if (!result.success) throw invalidRequest("json", result.error.issues);
  return result.data;
}
