import { z } from "@hono/zod-openapi";
import { GRANT_LIMITS, type Grant, parseGrants, parseGrantText } from "@writ/core";

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);

const ConstraintSchema = z
  .object({
    eq: ScalarSchema.optional(),
    neq: ScalarSchema.optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    in: z.array(ScalarSchema).readonly().optional(),
    nin: z.array(ScalarSchema).readonly().optional(),
    prefix: z.string().optional(),
    inSet: z.string().optional(),
  })
  .openapi("Constraint");

const BudgetSchema = z
  .object({
    measure: z.enum(["count", "sum"]),
    path: z.string().optional(),
    max: z.number(),
    per: z.string().openapi({ example: "1d" }),
  })
  .openapi("Budget");

/** A grant as the server returns it (validated by core when it was stored). */
export const GrantSchema = z
  .object({
    action: z.string().openapi({ example: "refunds.approve" }),
    when: z.record(z.string(), ConstraintSchema).optional(),
    approval: z.literal("human").optional(),
    budgets: z.array(BudgetSchema).readonly().optional(),
  })
  .openapi("Grant");

export const GrantListSchema = z.array(GrantSchema).readonly();

/**
 * Grants in a request: JSON grants or the compact text form. Unknown members
 * are kept, never stripped, so core's validation refuses them (grant.invalid)
 * instead of silently widening a grant.
 */
export const GrantsInputSchema = z
  .union([
    z.string().max(GRANT_LIMITS.grantsPerList * 4096),
    z
      .array(z.looseObject({ action: z.string(), when: z.unknown().optional() }))
      .max(GRANT_LIMITS.grantsPerList),
  ])
  .openapi("GrantsInput", {
    description:
      "JSON grants, or the text form: `refunds.approve(amount < 5000); email.send(to in @crm.contacts)`.",
    example: "refunds.approve(amount < 5000, currency in [USD, EUR])",
  });

/** Validates request grants with core (grant.invalid / grant.syntax), so the store receives real grants. */
export function grantsFrom(input: z.output<typeof GrantsInputSchema>): Grant[] {
  return typeof input === "string" ? parseGrantText(input) : parseGrants(input);
}
