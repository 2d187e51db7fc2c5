import { z } from "@hono/zod-openapi";
import { EpochMsSchema, listSchema, PageQuerySchema, PrincipalIdSchema } from "./common-schemas.js";

const STATUSES = ["pending", "approved", "rejected", "consumed", "expired"] as const;
const hash = z.string().min(1).max(128);

/** What an approval releases: one call of one tool, under one leaf hop. */
export const ApprovalBindingSchema = z
  .object({
    action: z.string().max(256),
    tool: z.string().min(1).max(256),
    argsHash: hash,
    leafHash: hash,
  })
  .openapi("ApprovalBinding");

export const ApprovalRequestSchema = z
  .object({
    id: z.string().min(1).max(128),
    callId: z.string().min(1).max(256),
    action: z.string().max(256),
    argsHash: hash,
    leafHash: hash,
    tool: z.string().min(1).max(256),
    user: PrincipalIdSchema,
    agent: PrincipalIdSchema,
    tenant: PrincipalIdSchema.optional(),
    chain: z.array(PrincipalIdSchema).max(8),
    requestedAt: EpochMsSchema,
    expiresAt: EpochMsSchema,
  })
  .openapi("ApprovalRequest");

export const ApprovalSchema = z
  .object({
    id: z.string(),
    callId: z.string(),
    action: z.string(),
    argsHash: z.string(),
    leafHash: z.string(),
    tool: z.string(),
    user: z.string(),
    agent: z.string(),
    tenant: z.string().optional(),
    chain: z.array(z.string()).readonly(),
    requestedAt: EpochMsSchema,
    expiresAt: EpochMsSchema,
    status: z.enum(STATUSES),
    decidedBy: z.string().optional(),
    decidedAt: EpochMsSchema.optional(),
    reason: z.string().optional(),
  })
  .openapi("Approval");

export const ApprovalRequestedSchema = z
  .object({ approval: ApprovalSchema, created: z.boolean() })
  .openapi("ApprovalRequested");

export const ApprovalListSchema = listSchema("approvals", ApprovalSchema, "ApprovalList");

export const ApprovalQuerySchema = PageQuerySchema.extend({
  status: z.enum(STATUSES).optional(),
  user: PrincipalIdSchema.optional(),
  tenant: PrincipalIdSchema.optional(),
});

export const ApprovalIdParamsSchema = z.object({ id: z.string().min(1).max(128) });

export const VerdictSchema = z
  .object({
    by: z.string().min(1).max(256).optional().openapi({
      description:
        "Who decided (API keys; default the key). A console session is recorded as its own user.",
    }),
    reason: z.string().max(500).optional(),
  })
  .openapi("Verdict");

export const ApprovalDecisionSchema = z
  .object({
    approved: z.boolean(),
    by: z.string().min(1).max(256),
    reason: z.string().max(500).optional(),
  })
  .openapi("ApprovalDecision");

export const ConsumptionSchema = z
  .object({
    result: z.enum([
      "consumed",
      "pending",
      "rejected",
      "already_consumed",
      "expired",
      "mismatch",
      "unknown",
    ]),
  })
  .openapi("ApprovalConsumption");
