import { z } from "@hono/zod-openapi";
import { API_KEY_SCOPES, type ApiKeyScope } from "@writ/store";
import { EpochMsSchema, listSchema, PageQuerySchema, PrincipalIdSchema } from "./common-schemas.js";

const ScopeSchema = z.enum(API_KEY_SCOPES as readonly [ApiKeyScope, ...ApiKeyScope[]]);

export const ApiKeySchema = z
  .object({
    id: z.string(),
    tenant: PrincipalIdSchema.optional(),
    scopes: z.array(ScopeSchema).readonly(),
    label: z.string().optional(),
    createdAt: EpochMsSchema,
    expiresAt: EpochMsSchema.optional(),
    createdBy: z.string().optional(),
    lastUsedAt: EpochMsSchema.optional(),
    revoked: z.object({ at: EpochMsSchema, reason: z.string().optional() }).optional(),
  })
  .openapi("ApiKey");

export const ApiKeyListSchema = listSchema("apiKeys", ApiKeySchema, "ApiKeyList");

export const ApiKeyQuerySchema = PageQuerySchema.extend({ tenant: PrincipalIdSchema.optional() });

export const CreateApiKeySchema = z
  .object({
    tenant: PrincipalIdSchema.optional(),
    scopes: z.array(ScopeSchema).min(1).max(4).optional(),
    label: z.string().min(1).max(200).optional(),
    expiresAt: EpochMsSchema.optional(),
  })
  .openapi("CreateApiKey");

export const CreatedApiKeySchema = z
  .object({
    key: z.string().openapi({ description: "The key itself: shown this once, never stored." }),
    apiKey: ApiKeySchema,
  })
  .openapi("CreatedApiKey");

export const ApiKeyParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .openapi({ param: { name: "id", in: "path" } }),
});
