import { z } from "@hono/zod-openapi";
import { EpochMsSchema, PrincipalIdSchema } from "./common-schemas.js";

/** A provider's id in the broker's configuration. */
export const ProviderIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "A provider id: 1–64 of a–z, 0–9, '.', '_', '-'.")
  .openapi({ param: { name: "provider", in: "path" }, example: "google" });

export const ConnectionParamsSchema = z.object({
  id: PrincipalIdSchema.openapi({ param: { name: "id", in: "path" } }),
  provider: ProviderIdSchema,
});

export const ConnectionSchema = z
  .object({
    id: z.string(),
    user: z.string(),
    tenant: z.string().optional(),
    provider: z.string(),
    status: z.enum(["active", "broken"]),
    scopes: z.array(z.string()).readonly(),
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema,
    refreshedAt: EpochMsSchema.optional(),
    brokenAt: EpochMsSchema.optional(),
    brokenReason: z.string().optional(),
  })
  .openapi("Connection");

export const StartConnectSchema = z
  .object({
    actions: z
      .array(z.string().min(1).max(256))
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: "Ask only for the scopes these actions map to (default: all)." }),
  })
  .openapi("StartConnect");

export const StartedConnectSchema = z
  .object({
    authorizationUrl: z.string().openapi({ description: "Send the user's browser here." }),
    state: z.string(),
    expiresAt: EpochMsSchema,
  })
  .openapi("StartedConnect");

export const CompleteConnectSchema = z
  .object({
    callback: z.string().min(1).max(8192).openapi({
      description:
        "The URL (or just its query) the provider redirected the user's browser to, as your callback received it.",
    }),
  })
  .openapi("CompleteConnect");

export const DisconnectQuerySchema = z.object({
  force: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "Delete even if the provider cannot revoke the tokens." }),
});

export const DisconnectedSchema = z
  .object({ removed: z.boolean(), revoked: z.boolean() })
  .openapi("Disconnected");

export const AccessTokenRequestSchema = z
  .object({
    callId: z.string().min(1).max(256),
    eventId: z.string().min(1).max(64),
    provider: z.string().min(1).max(64),
  })
  .openapi("AccessTokenRequest");

export const AccessTokenSchema = z
  .object({
    provider: z.string(),
    tokenType: z.string(),
    scopes: z.array(z.string()).readonly(),
    expiresAt: EpochMsSchema,
    value: z
      .string()
      .openapi({ description: "The provider's access token: use it, never log it." }),
  })
  .openapi("AccessToken");
