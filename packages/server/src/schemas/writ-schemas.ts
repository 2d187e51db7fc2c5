import { z } from "@hono/zod-openapi";
import { REVOCATION_KINDS } from "@writ/core/backend";
import { EpochMsSchema, listSchema, PageQuerySchema, PrincipalIdSchema } from "./common-schemas.js";
import { GrantListSchema, GrantsInputSchema } from "./grant-schemas.js";

export const IssueSchema = z
  .object({
    user: PrincipalIdSchema,
    agent: PrincipalIdSchema,
    key: z.string().max(64).optional().openapi({
      description: "Thumbprint of the agent key to bind; needed only when the agent has several.",
    }),
    grants: GrantsInputSchema.optional(),
    ttl: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .optional()
      .openapi({ description: "Seconds; default 900." }),
    maxDepth: z.number().int().min(0).max(7).optional(),
  })
  .openapi("Issue");

export const IssuedWritSchema = z
  .object({
    writ: z.string().openapi({ description: "The serialized writ (hops joined by ~)." }),
    jti: z.string(),
    user: z.string(),
    agent: z.string(),
    tenant: z.string().optional(),
    expiresAt: EpochMsSchema,
  })
  .openapi("IssuedWrit");

const RevocationKindSchema = z.enum(
  REVOCATION_KINDS as readonly ["hop", "agent", "user", "key", "issuer_key", "api_key"],
);

export const RevokeSchema = z
  .object({
    kind: RevocationKindSchema,
    id: z.string().min(1).max(256),
    reason: z.string().max(500).optional(),
  })
  .openapi("Revoke");

export const RevocationSchema = z
  .object({
    kind: RevocationKindSchema,
    id: z.string(),
    seq: z.number().int(),
    at: EpochMsSchema,
    reason: z.string().optional(),
  })
  .openapi("Revocation");

export const RevocationListSchema = listSchema("revocations", RevocationSchema, "RevocationList");

export const RevocationQuerySchema = PageQuerySchema.extend({
  kind: RevocationKindSchema.optional(),
  tenant: PrincipalIdSchema.optional(),
});

export const DelegationRecordSchema = z
  .object({
    jti: z.string().min(1).max(128),
    parentJti: z.string().min(1).max(128).nullable(),
    user: PrincipalIdSchema,
    tenant: PrincipalIdSchema.nullable(),
    fromAgent: PrincipalIdSchema.nullable(),
    toAgent: PrincipalIdSchema,
    issuer: PrincipalIdSchema,
    grants: z.array(z.looseObject({ action: z.string() })).max(32),
    issuedAt: z.number().int(),
    expiresAt: z.number().int(),
  })
  .openapi("DelegationRecord");

export const DelegationRecordsSchema = z
  .object({ records: z.array(DelegationRecordSchema).min(1).max(8) })
  .openapi("DelegationRecords");

interface DelegationNodeShape {
  readonly jti: string;
  readonly parentJti: string | null;
  readonly user: string;
  readonly tenant: string | null;
  readonly fromAgent: string | null;
  readonly toAgent: string;
  readonly issuer: string;
  readonly grants: z.output<typeof GrantListSchema>;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly revoked: boolean;
  readonly children: readonly DelegationNodeShape[];
}

export const DelegationNodeSchema: z.ZodType<DelegationNodeShape> = z
  .object({
    jti: z.string(),
    parentJti: z.string().nullable(),
    user: z.string(),
    tenant: z.string().nullable(),
    fromAgent: z.string().nullable(),
    toAgent: z.string(),
    issuer: z.string(),
    grants: GrantListSchema,
    issuedAt: z.number().int(),
    expiresAt: z.number().int(),
    revoked: z.boolean(),
    get children() {
      return z.array(DelegationNodeSchema).readonly();
    },
  })
  .openapi("DelegationNode");

export const JtiParamsSchema = z.object({ jti: z.string().min(1).max(128) });
