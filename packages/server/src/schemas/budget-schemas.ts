import { z } from "@hono/zod-openapi";
import { EpochMsSchema } from "./common-schemas.js";

const SCOPES = ["hop", "user", "agent"] as const;
const amount = z.number().nonnegative().max(Number.MAX_VALUE);
/** Every layer of a chain of 8 hops (hops, permissions, policies) with 8 budgets each. */
const MAX_CHARGES = 17 * 8;

const BudgetChargeSchema = z
  .object({
    key: z.string().min(1).max(1024),
    scope: z.enum(SCOPES),
    subject: z.string().min(1).max(256),
    budget: z.string().min(1).max(512),
    max: amount,
    windowMs: z
      .number()
      .int()
      .positive()
      .max(366 * 86_400_000),
    amount,
    hop: z.number().int().nonnegative().max(7).optional(),
  })
  .openapi("BudgetCharge");

export const BudgetReservationRequestSchema = z
  .object({
    id: z.string().min(1).max(128),
    callId: z.string().min(1).max(256),
    charges: z
      .array(BudgetChargeSchema)
      .min(1)
      .max(MAX_CHARGES)
      .refine((charges) => new Set(charges.map((charge) => charge.key)).size === charges.length, {
        message: "Each budget is charged once per reservation.",
      }),
  })
  .openapi("BudgetReservationRequest");

export const BudgetReservationResultSchema = z
  .union([
    z.object({ reserved: z.literal(true) }),
    z.object({
      reserved: z.literal(false),
      charge: z.number().int().nonnegative(),
      remaining: z.number(),
      resetsAt: EpochMsSchema,
    }),
  ])
  .openapi("BudgetReservationResult");

export const ReservationIdParamsSchema = z.object({
  id: z.string().min(1).max(128),
});

export const BudgetReleaseRequestSchema = z
  .object({
    /** The call the reservation was taken for. */
    callId: z.string().min(1).max(256),
  })
  .openapi("BudgetReleaseRequest");

export const BudgetUsageQuerySchema = z.object({
  scope: z.enum(SCOPES).optional(),
  subject: z.string().min(1).max(256).optional(),
});

const BudgetUsageSchema = z
  .object({
    key: z.string(),
    scope: z.enum(SCOPES),
    subject: z.string(),
    budget: z.string(),
    max: z.number(),
    used: z.number(),
    windowStart: EpochMsSchema,
    resetsAt: EpochMsSchema,
  })
  .openapi("BudgetUsage");

export const BudgetUsageListSchema = z
  .object({ usage: z.array(BudgetUsageSchema).readonly() })
  .openapi("BudgetUsageList");
