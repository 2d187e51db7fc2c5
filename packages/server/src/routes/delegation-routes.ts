import { createRoute } from "@hono/zod-openapi";
import { parseGrants, WritError } from "@writ/core";
import type { DelegationRecord } from "@writ/core/backend";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  jsonBody,
  jsonContent,
  listBody,
  listSchema,
  PageQuerySchema,
  PrincipalIdSchema,
  problemResponses,
} from "../schemas/common-schemas.js";
import { GrantListSchema } from "../schemas/grant-schemas.js";
import {
  DelegationNodeSchema,
  DelegationRecordSchema,
  DelegationRecordsSchema,
  JtiParamsSchema,
} from "../schemas/writ-schemas.js";
import { assertVisible, notFound, requireScope } from "../tenancy/tenant-access.js";
import { listTenant } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const RootHopSchema = DelegationRecordSchema.extend({ grants: GrantListSchema });

const RootHopQuerySchema = PageQuerySchema.extend({
  user: PrincipalIdSchema.optional(),
  tenant: PrincipalIdSchema.optional(),
});

const tags = ["Delegations"];
const security = API_KEY_SECURITY;

/** The delegation graph: hops remote guards saw, and the tree under a root. */
export function registerDelegationRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/delegations",
      tags,
      security,
      summary: "Record hops a remote guard verified (idempotent by jti)",
      request: { body: jsonBody(DelegationRecordsSchema) },
      responses: { 204: { description: "Recorded" }, ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const records: DelegationRecord[] = c.req.valid("json").records.map((record) => {
        if (caller.tenant !== undefined && record.tenant !== caller.tenant) {
          throw new WritError(
            "auth.forbidden",
            "A tenant's key may record only its own tenant's hops.",
          );
        }
        return { ...record, grants: parseGrants(record.grants) };
      });
      await store.recordDelegations(records);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/delegations",
      tags,
      security,
      summary: "Root hops (writs as issued), newest first: where delegation trees start",
      request: { query: RootHopQuerySchema },
      responses: {
        200: jsonContent(listSchema("delegations", RootHopSchema, "RootHops"), "Root hops"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { tenant, ...query } = c.req.valid("query");
      const listed = await store.listRootHops({
        ...withoutUndefined(query),
        ...listTenant(caller, tenant),
      });
      return c.json(listBody("delegations", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/delegations/{jti}",
      tags,
      security,
      summary: "The delegation tree under a hop, with what is revoked",
      request: { params: JtiParamsSchema },
      responses: { 200: jsonContent(DelegationNodeSchema, "The tree"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { jti } = c.req.valid("param");
      const tree = await store.delegationTree(jti);
      if (!tree) throw notFound("hop", jti);
      assertVisible(caller, tree.tenant, "hop", jti);
      return c.json(tree, 200);
    },
  );
}
