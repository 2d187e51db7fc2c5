import { createRoute } from "@hono/zod-openapi";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  jsonBody,
  jsonContent,
  listBody,
  listSchema,
  problemResponses,
  RemovedSchema,
} from "../schemas/common-schemas.js";
import { DirectoryQuerySchema, PutRoleSchema, RoleSchema } from "../schemas/directory-schemas.js";
import { grantsFrom } from "../schemas/grant-schemas.js";
import { assertWritable } from "../tenancy/assert-writable.js";
import { assertVisible, notFound, requireScope, writeTenant } from "../tenancy/tenant-access.js";
import { idParams, listTenant } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Roles"];
const security = API_KEY_SECURITY;

/** Roles: named grant sets users hold. */
export function registerRoleRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/roles",
      tags,
      security,
      summary: "List roles (a tenant's key: its tenant's)",
      request: { query: DirectoryQuerySchema },
      responses: {
        200: jsonContent(listSchema("roles", RoleSchema, "RoleList"), "The roles"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { tenant, ...page } = c.req.valid("query");
      const listed = await store.listRoles({
        ...listTenant(caller, tenant),
        ...withoutUndefined(page),
      });
      return c.json(listBody("roles", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/roles/{id}",
      tags,
      security,
      summary: "Get a role",
      request: { params: idParams("id") },
      responses: { 200: jsonContent(RoleSchema, "The role"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { id } = c.req.valid("param");
      const role = await store.getRole(id);
      if (!role) throw notFound("role", id);
      assertVisible(caller, role.tenant, "role", id);
      return c.json(role, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/roles/{id}",
      tags,
      security,
      summary: "Create or replace a role; its members' guards enforce the change live",
      request: { params: idParams("id"), body: jsonBody(PutRoleSchema) },
      responses: { 200: jsonContent(RoleSchema, "The role as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const tenant = writeTenant(caller, body.tenant);
      assertWritable(caller, await store.getRole(id), "role", id);
      const role = await store.putRole({
        id,
        ...(tenant === undefined ? {} : { tenant }),
        permissions: grantsFrom(body.permissions),
      });
      return c.json(role, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/roles/{id}",
      tags,
      security,
      summary: "Remove a role",
      request: { params: idParams("id") },
      responses: {
        200: jsonContent(RemovedSchema, "Whether a role was removed"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const role = await store.getRole(id);
      if (role) assertVisible(caller, role.tenant, "role", id);
      return c.json({ removed: role ? await store.removeRole(id) : false }, 200);
    },
  );
}
