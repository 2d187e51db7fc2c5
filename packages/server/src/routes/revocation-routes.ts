import { createRoute } from "@hono/zod-openapi";
import { type RevocationKind, WritError } from "@writ/core";
import { type Caller, callerName } from "../auth/caller.js";
import { withoutUndefined } from "../http/without-undefined.js";
import { jsonBody, jsonContent, listBody, problemResponses } from "../schemas/common-schemas.js";
import {
  RevocationListSchema,
  RevocationQuerySchema,
  RevocationSchema,
  RevokeSchema,
} from "../schemas/writ-schemas.js";
import {
  assertVisible,
  notFound,
  requireOperator,
  requireScope,
} from "../tenancy/tenant-access.js";
import { listTenant } from "./path-params.js";
import {
  AGENT_OR_KEY_SECURITY,
  API_KEY_SECURITY,
  type RouteContext,
  type WritApp,
} from "./route-context.js";

const tags = ["Revocation"];

/**
 * Revocation of a hop (and everything below it), an agent, a user, a key,
 * an issuer key, or an API key of this server. Every watching guard enforces it within milliseconds. An
 * agent may sign its own request to revoke a hop it delegated or holds, or
 * one of its own keys.
 */
/**
 * How long a revocation's answer waits for this instance's own live state to
 * hold it: the feed's staleness bound, past which guards fail closed anyway.
 */
const OWN_CHANGE_WAIT_MS = 2000;

export function registerRevocationRoutes(app: WritApp, ctx: RouteContext): void {
  const { store, hub } = ctx;

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/revocations",
      tags,
      security: AGENT_OR_KEY_SECURITY,
      summary: "Revoke permanently",
      request: { body: jsonBody(RevokeSchema) },
      responses: { 200: jsonContent(RevocationSchema, "The revocation"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      const { kind, id, reason } = c.req.valid("json");
      if (caller.kind === "agent") {
        await assertAgentMayRevoke(caller, kind, id);
      } else {
        requireScope(caller, "admin");
        await assertTenantMayRevoke(caller, kind, id);
      }
      const revocation = await store.revoke({
        kind,
        id,
        ...(reason === undefined ? {} : { reason }),
        // The ledger names who revoked: the authenticated caller, never a claim in the body.
        by: callerName(caller),
      });
      // Answered once this instance refuses it too; other instances follow through the feed.
      await hub.reflects(() => hub.isRevoked(revocation.kind, revocation.id), OWN_CHANGE_WAIT_MS);
      return c.json(revocation, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/revocations",
      tags,
      security: API_KEY_SECURITY,
      summary: "List revocations (a tenant's key: its own, and every hop and issuer key)",
      request: { query: RevocationQuerySchema },
      responses: { 200: jsonContent(RevocationListSchema, "Revocations"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { tenant, ...query } = c.req.valid("query");
      const listed = await store.listRevocations({
        ...withoutUndefined(query),
        ...listTenant(caller, tenant),
      });
      return c.json(listBody("revocations", listed), 200);
    },
  );

  async function assertTenantMayRevoke(
    caller: Caller,
    kind: RevocationKind,
    id: string,
  ): Promise<void> {
    if (kind === "issuer_key") {
      requireOperator(caller);
      return;
    }
    if (caller.tenant === undefined) return;
    switch (kind) {
      case "user": {
        const user = await store.getUser(id);
        if (!user) throw notFound("user", id);
        return assertVisible(caller, user.tenant, "user", id);
      }
      case "agent": {
        const agent = await store.getAgent(id);
        if (!agent) throw notFound("agent", id);
        return assertVisible(caller, agent.tenant, "agent", id);
      }
      case "key": {
        const owner = hub.keyOwner(id);
        if (owner === undefined) throw notFound("key", id);
        return assertVisible(caller, hub.agent(owner)?.tenant, "key", id);
      }
      case "api_key": {
        const key = await store.getApiKey(id);
        if (!key) throw notFound("API key", id);
        return assertVisible(caller, key.tenant, "API key", id);
      }
      case "hop": {
        const hop = await store.delegationTree(id);
        if (!hop) throw notFound("hop", id);
        return assertVisible(caller, hop.tenant, "hop", id);
      }
    }
  }

  async function assertAgentMayRevoke(
    caller: Extract<Caller, { kind: "agent" }>,
    kind: RevocationKind,
    id: string,
  ): Promise<void> {
    if (kind === "hop") {
      const hop = await store.delegationTree(id);
      if (hop && (hop.fromAgent === caller.agent || hop.toAgent === caller.agent)) return;
      throw new WritError(
        "auth.forbidden",
        "An agent may revoke only a hop it delegated or holds, once a guard or the server has recorded it.",
      );
    }
    if (kind === "key" && hub.agent(caller.agent)?.keys.includes(id)) return;
    throw new WritError(
      "auth.forbidden",
      "An agent may revoke only its own hops and keys; use an admin API key for anything else.",
    );
  }
}
