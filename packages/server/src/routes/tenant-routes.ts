import { createRoute } from "@hono/zod-openapi";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  jsonContent,
  listBody,
  listSchema,
  PageQuerySchema,
  problemResponses,
} from "../schemas/common-schemas.js";
import { TenantSchema } from "../schemas/directory-schemas.js";
import { requireOperator, requireScope } from "../tenancy/tenant-access.js";
import { idParams } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Tenants"];
const security = API_KEY_SECURITY;

/** Tenants: created by operators; a tenant's key sees only its own. */
export function registerTenantRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tenants",
      tags,
      security,
      summary: "List tenants (a tenant's key: its own)",
      request: { query: PageQuerySchema },
      responses: {
        200: jsonContent(listSchema("tenants", TenantSchema, "TenantList"), "The tenants"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const listed = await store.listTenants({
        ...withoutUndefined(c.req.valid("query")),
        ...(caller.tenant === undefined ? {} : { tenant: caller.tenant }),
      });
      return c.json(listBody("tenants", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/tenants/{id}",
      tags,
      security,
      summary: "Create a tenant (operator keys only)",
      request: { params: idParams("id") },
      responses: { 200: jsonContent(TenantSchema, "The tenant"), ...problemResponses },
    }),
    async (c) => {
      requireOperator(c.get("caller"));
      return c.json(await store.putTenant(c.req.valid("param").id), 200);
    },
  );
}
