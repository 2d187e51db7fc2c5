import { createRoute } from "@hono/zod-openapi";
import { WritError } from "@writ/core";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  jsonBody,
  jsonContent,
  listBody,
  listSchema,
  problemResponses,
  RemovedSchema,
} from "../schemas/common-schemas.js";
import {
  DirectoryQuerySchema,
  IdentitySchema,
  LinkedIdentitySchema,
  PermissionsBodySchema,
  ProvisionUserSchema,
  PutUserSchema,
  UserSchema,
} from "../schemas/directory-schemas.js";
import { grantsFrom } from "../schemas/grant-schemas.js";
import { assertWritable } from "../tenancy/assert-writable.js";
import {
  assertVisible,
  isVisible,
  notFound,
  requireScope,
  writeTenant,
} from "../tenancy/tenant-access.js";
import { idParams, listTenant } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Users"];
const security = API_KEY_SECURITY;

/** Users: who agents act for, their direct grants, their roles and their linked identities. */
export function registerUserRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/users",
      tags,
      security,
      summary: "List users (a tenant's key: its tenant's)",
      request: { query: DirectoryQuerySchema },
      responses: {
        200: jsonContent(listSchema("users", UserSchema, "UserList"), "The users"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { tenant, ...page } = c.req.valid("query");
      const listed = await store.listUsers({
        ...listTenant(caller, tenant),
        ...withoutUndefined(page),
      });
      return c.json(listBody("users", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/users/{id}",
      tags,
      security,
      summary: "Get a user",
      request: { params: idParams("id") },
      responses: { 200: jsonContent(UserSchema, "The user"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { id } = c.req.valid("param");
      const user = await store.getUser(id);
      if (!user) throw notFound("user", id);
      assertVisible(caller, user.tenant, "user", id);
      return c.json(user, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/users/{id}",
      tags,
      security,
      summary: "Create or replace a user (direct grants and roles)",
      request: { params: idParams("id"), body: jsonBody(PutUserSchema) },
      responses: { 200: jsonContent(UserSchema, "The user as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const tenant = writeTenant(caller, body.tenant);
      assertWritable(caller, await store.getUser(id), "user", id);
      const user = await store.putUser({
        id,
        ...(tenant === undefined ? {} : { tenant }),
        ...(body.permissions === undefined ? {} : { permissions: grantsFrom(body.permissions) }),
        ...(body.roles === undefined ? {} : { roles: body.roles }),
      });
      return c.json(user, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/users/{id}/permissions",
      tags,
      security,
      summary: "Replace a user's direct grants",
      request: { params: idParams("id"), body: jsonBody(PermissionsBodySchema) },
      responses: { 200: jsonContent(UserSchema, "The user as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      await visibleUser(caller, id);
      const user = await store.setUserPermissions(id, grantsFrom(c.req.valid("json").permissions));
      return c.json(user, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/users/{id}",
      tags,
      security,
      summary: "Remove a user",
      request: { params: idParams("id") },
      responses: {
        200: jsonContent(RemovedSchema, "Whether a user was removed"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      const user = await store.getUser(id);
      if (user && caller.tenant !== undefined) assertVisible(caller, user.tenant, "user", id);
      return c.json({ removed: user ? await store.removeUser(id) : false }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/users/{id}/roles/{role}",
      tags,
      security,
      summary: "Assign a role to a user",
      request: { params: idParams("id", "role") },
      responses: { 200: jsonContent(UserSchema, "The user as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id, role } = c.req.valid("param");
      await visibleUser(caller, id);
      const existing = await store.getRole(role);
      if (!existing) throw notFound("role", role);
      assertVisible(caller, existing.tenant, "role", role);
      await store.assignRole(id, role);
      return c.json((await store.getUser(id)) ?? throwGone(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/users/{id}/roles/{role}",
      tags,
      security,
      summary: "Unassign a role from a user",
      request: { params: idParams("id", "role") },
      responses: {
        200: jsonContent(RemovedSchema, "Whether the user had the role"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id, role } = c.req.valid("param");
      await visibleUser(caller, id);
      return c.json({ removed: await store.unassignRole(id, role) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/users",
      tags,
      security,
      summary:
        "Create a user linked to an identity at an identity provider, in one step (409 when the id exists or the identity is linked)",
      request: { body: jsonBody(ProvisionUserSchema) },
      responses: { 200: jsonContent(UserSchema, "The user as stored"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id, identity, ...body } = c.req.valid("json");
      const tenant = writeTenant(caller, body.tenant);
      const user = await store.provisionUser(
        {
          id,
          ...(tenant === undefined ? {} : { tenant }),
          ...(body.permissions === undefined ? {} : { permissions: grantsFrom(body.permissions) }),
          ...(body.roles === undefined ? {} : { roles: body.roles }),
        },
        identity,
      );
      return c.json(user, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/users/{id}/identities",
      tags,
      security,
      summary:
        "Link an identity at an identity provider to a user: the token exchange turns that provider's tokens for it into this user",
      request: { params: idParams("id"), body: jsonBody(IdentitySchema) },
      responses: { 200: jsonContent(LinkedIdentitySchema, "The link"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      await visibleUser(caller, id);
      return c.json(await store.linkIdentity(id, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/users/{id}/identities",
      tags,
      security,
      summary: "Unlink an identity from a user",
      request: { params: idParams("id"), query: IdentitySchema },
      responses: {
        200: jsonContent(RemovedSchema, "Whether the identity was linked to the user"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const { id } = c.req.valid("param");
      await visibleUser(caller, id);
      return c.json({ removed: await store.unlinkIdentity(id, c.req.valid("query")) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/identities",
      tags,
      security,
      summary: "The user an identity at an identity provider is linked to",
      request: { query: IdentitySchema },
      responses: { 200: jsonContent(UserSchema, "The user"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "admin");
      const user = await store.userForIdentity(c.req.valid("query"));
      if (!user || !isVisible(caller, user.tenant)) {
        throw new WritError("store.not_found", "No user is linked to this identity.");
      }
      return c.json(user, 200);
    },
  );

  async function visibleUser(caller: Parameters<typeof assertVisible>[0], id: string) {
    const user = await store.getUser(id);
    if (!user) throw notFound("user", id);
    assertVisible(caller, user.tenant, "user", id);
    return user;
  }
}

function throwGone(id: string): never {
  throw notFound("user", id);
}
