import { createRoute } from "@hono/zod-openapi";
import { WritError } from "@writ/core";
import { callerName } from "../auth/caller.js";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  ApiKeyListSchema,
  ApiKeyParamsSchema,
  ApiKeyQuerySchema,
  ApiKeySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
} from "../schemas/api-key-schemas.js";
import { jsonBody, jsonContent, listBody, problemResponses } from "../schemas/common-schemas.js";
import {
  assertVisible,
  hasScope,
  notFound,
  requireScope,
  writeTenant,
} from "../tenancy/tenant-access.js";
import { listTenant } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["API keys"];
const security = API_KEY_SECURITY;

/**
 * The server's API keys, kept in the store so every instance accepts the
 * same ones. A tenant's admin key manages its tenant's keys, never with more
 * scopes than it holds. Revoke with `POST /v1/revocations` (kind `api_key`):
 * every instance refuses the key from then on.
 */
export function registerApiKeyRoutes(app: WritApp, { store, clock }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/api-keys",
      tags,
      security,
      summary: "List API keys (a tenant's key: its tenant's); never a key or its hash",
      request: { query: ApiKeyQuerySchema },
      responses: { 200: jsonContent(ApiKeyListSchema, "The keys"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { tenant, ...page } = c.req.valid("query");
      const listed = await store.listApiKeys({
        ...listTenant(caller, tenant),
        ...withoutUndefined(page),
      });
      return c.json(listBody("apiKeys", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/api-keys",
      tags,
      security,
      summary: "Create an API key; the answer holds the key, once",
      request: { body: jsonBody(CreateApiKeySchema) },
      responses: {
        200: jsonContent(CreatedApiKeySchema, "The key, shown once"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { tenant: requested, scopes = ["admin"], ...rest } = c.req.valid("json");
      const tenant = writeTenant(caller, requested);
      if (caller.kind !== "agent" && scopes.some((scope) => !hasScope(caller.scopes, scope))) {
        throw new WritError("auth.forbidden", "A key can only create keys with scopes it holds.");
      }
      if (rest.expiresAt !== undefined && rest.expiresAt <= clock()) {
        throw new WritError("request.invalid", "expiresAt must be in the future.", {
          name: "expiresAt",
        });
      }
      const created = await store.createApiKey({
        ...withoutUndefined(rest),
        scopes,
        ...(tenant === undefined ? {} : { tenant }),
        by: callerName(caller),
      });
      c.header("cache-control", "no-store");
      return c.json(created, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/api-keys/{id}",
      tags,
      security,
      summary: "Get an API key (never the key or its hash)",
      request: { params: ApiKeyParamsSchema },
      responses: { 200: jsonContent(ApiKeySchema, "The key"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const key = await store.getApiKey(id);
      if (!key) throw notFound("API key", id);
      assertVisible(caller, key.tenant, "API key", id);
      return c.json(key, 200);
    },
  );
}
