import { z } from "@hono/zod-openapi";
import { hasControlCharacter } from "@writ/core/backend";
import { EpochMsSchema, PageQuerySchema, PrincipalIdSchema } from "./common-schemas.js";
import { GrantListSchema, GrantsInputSchema } from "./grant-schemas.js";

/** An Ed25519 public JWK. Extra members are kept so core refuses private keys (key.invalid) rather than the server dropping `d`. */
export const PublicJwkInputSchema = z
  .looseObject({ kty: z.string(), crv: z.string(), x: z.string() })
  .openapi("PublicJwkInput");

export const PublicJwkSchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string(),
    kid: z.string().optional(),
    alg: z.enum(["EdDSA", "Ed25519"]).optional(),
    use: z.literal("sig").optional(),
  })
  .openapi("PublicJwk");

export const TenantSchema = z
  .object({ id: PrincipalIdSchema, createdAt: EpochMsSchema })
  .openapi("Tenant");

/** Text without control characters, as the store keeps identities. */
const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => !hasControlCharacter(text), {
      message: "Control characters are not allowed.",
    });

/** A person at an identity provider: its issuer and the value of its user claim. */
export const IdentitySchema = z
  .object({
    issuer: plainText(512).openapi({ example: "https://login.example.com/realms/acme" }),
    subject: plainText(256).openapi({ example: "248289761001" }),
  })
  .openapi("Identity");

export const LinkedIdentitySchema = IdentitySchema.extend({ linkedAt: EpochMsSchema }).openapi(
  "LinkedIdentity",
);

export const UserSchema = z
  .object({
    id: PrincipalIdSchema,
    tenant: PrincipalIdSchema.optional(),
    permissions: GrantListSchema,
    roles: z.array(z.string()).readonly(),
    effectivePermissions: GrantListSchema,
    identities: z.array(LinkedIdentitySchema).readonly(),
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema,
  })
  .openapi("User");

export const PutUserSchema = z
  .object({
    tenant: PrincipalIdSchema.optional(),
    permissions: GrantsInputSchema.optional(),
    roles: z.array(PrincipalIdSchema).max(256).optional(),
  })
  .openapi("PutUser");

export const ProvisionUserSchema = PutUserSchema.extend({
  id: PrincipalIdSchema,
  identity: IdentitySchema,
}).openapi("ProvisionUser");

export const RoleSchema = z
  .object({
    id: PrincipalIdSchema,
    tenant: PrincipalIdSchema.optional(),
    permissions: GrantListSchema,
    members: z.array(z.string()).readonly(),
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema,
  })
  .openapi("Role");

export const PutRoleSchema = z
  .object({ tenant: PrincipalIdSchema.optional(), permissions: GrantsInputSchema })
  .openapi("PutRole");

export const AgentKeySchema = z
  .object({ thumbprint: z.string(), jwk: PublicJwkSchema, createdAt: EpochMsSchema })
  .openapi("AgentKey");

export const AgentSchema = z
  .object({
    id: PrincipalIdSchema,
    tenant: PrincipalIdSchema.optional(),
    shared: z.boolean().optional(),
    policy: GrantListSchema,
    keys: z.array(AgentKeySchema).readonly(),
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema,
  })
  .openapi("Agent");

export const PutAgentSchema = z
  .object({
    tenant: PrincipalIdSchema.optional(),
    shared: z.boolean().optional().openapi({
      description:
        "The agent serves the users of every tenant (an MCP gateway's agent): only an operator key may set it, and not with a tenant.",
    }),
    policy: GrantsInputSchema,
    keys: z.array(PublicJwkInputSchema).max(16).optional(),
  })
  .openapi("PutAgent");

export const PermissionsBodySchema = z
  .object({ permissions: GrantsInputSchema })
  .openapi("PermissionsBody");

export const PolicyBodySchema = z.object({ policy: GrantsInputSchema }).openapi("PolicyBody");

/** A page of users, roles, agents or tenants; a tenant's key sees its own tenant's whatever it asks. */
export const DirectoryQuerySchema = PageQuerySchema.extend({
  tenant: PrincipalIdSchema.optional(),
});

export const IssuerKeySchema = z
  .object({
    kid: z.string(),
    status: z.enum(["active", "verifying", "retired"]),
    jwk: PublicJwkSchema,
  })
  .openapi("IssuerKey");

export const IssuerKeysSchema = z
  .object({ issuer: z.string(), keys: z.array(IssuerKeySchema).readonly() })
  .openapi("IssuerKeys");

export const JwksSchema = z.object({ keys: z.array(PublicJwkSchema).readonly() }).openapi("Jwks");
