import { z } from "@hono/zod-openapi";
import { EpochMsSchema, PrincipalIdSchema } from "./common-schemas.js";
import { GrantListSchema, GrantsInputSchema } from "./grant-schemas.js";

export const ValidateGrantsSchema = z
  .object({ text: z.string().max(64 * 1024) })
  .openapi("ValidateGrants");

export const GrantValidationSchema = z
  .union([
    z.object({ ok: z.literal(true), grants: GrantListSchema, text: z.string() }),
    z.object({
      ok: z.literal(false),
      code: z.string(),
      message: z.string(),
      line: z.number().int().optional(),
      column: z.number().int().optional(),
    }),
  ])
  .openapi("GrantValidation");

const SubjectSchema = z.object({
  kind: z.enum(["user", "role", "agent"]),
  id: PrincipalIdSchema,
});

export const WhatIfSchema = z
  .object({
    subject: SubjectSchema,
    grants: GrantsInputSchema,
    limit: z.number().int().min(1).max(500).optional(),
  })
  .openapi("WhatIf");

const ReplayedDecisionSchema = z.object({
  effect: z.enum(["allow", "deny", "approval_required", "unknown"]),
  code: z.string(),
  hop: z.number().int().optional(),
  agent: z.string().optional(),
  path: z.string().optional(),
});

export const WhatIfReportSchema = z
  .object({
    subject: SubjectSchema,
    grants: GrantListSchema,
    examined: z.number().int(),
    changed: z.number().int(),
    skipped: z.number().int(),
    calls: z
      .array(
        z.object({
          eventId: z.string(),
          callId: z.string().nullable(),
          time: EpochMsSchema,
          user: z.string().nullable(),
          chain: z.array(z.string()).readonly(),
          action: z.string().nullable(),
          tool: z.string().nullable(),
          recorded: z.object({ effect: z.string().nullable(), code: z.string().nullable() }),
          before: ReplayedDecisionSchema.optional(),
          after: ReplayedDecisionSchema.optional(),
          changed: z.boolean(),
          skipped: z
            .enum(["input_not_stored", "hop_not_recorded", "decided_before_grants"])
            .optional(),
        }),
      )
      .readonly(),
  })
  .openapi("WhatIfReport");
