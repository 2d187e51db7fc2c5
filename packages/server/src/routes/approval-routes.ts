import { createRoute } from "@hono/zod-openapi";
import { type Approval, WritError } from "@writ/core";
import { type Caller, callerName } from "../auth/caller.js";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  ApprovalBindingSchema,
  ApprovalDecisionSchema,
  ApprovalIdParamsSchema,
  ApprovalListSchema,
  ApprovalQuerySchema,
  ApprovalRequestedSchema,
  ApprovalRequestSchema,
  ApprovalSchema,
  ConsumptionSchema,
  VerdictSchema,
} from "../schemas/approval-schemas.js";
import { jsonBody, jsonContent, listBody, problemResponses } from "../schemas/common-schemas.js";
import { assertVisible, notFound, requireScope, writeTenant } from "../tenancy/tenant-access.js";
import { listTenant } from "./path-params.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Approvals"];
const security = API_KEY_SECURITY;

/**
 * Approvals: people list and decide pending requests (admin); remote guards
 * open requests, record decisions made through them, and spend approvals
 * (guard). The server's clock times decisions and spending, so a client
 * cannot spend an approval after it expired by claiming an earlier time.
 */
export function registerApprovalRoutes(app: WritApp, { store, clock }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/approvals",
      tags,
      security,
      summary: "List approval requests (default: pending and not expired)",
      request: { query: ApprovalQuerySchema },
      responses: { 200: jsonContent(ApprovalListSchema, "Approval requests"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { tenant, ...query } = c.req.valid("query");
      const listed = await store.listApprovals({
        ...withoutUndefined(query),
        ...listTenant(caller, tenant),
      });
      return c.json(listBody("approvals", listed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/approvals/{id}",
      tags,
      security,
      summary: "Get an approval request",
      request: { params: ApprovalIdParamsSchema },
      responses: { 200: jsonContent(ApprovalSchema, "The approval request"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      return c.json(await visibleApproval(caller, c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/approvals",
      tags,
      security,
      summary: "Open an approval request, or get the one already opened for this call",
      request: { body: jsonBody(ApprovalRequestSchema) },
      responses: { 200: jsonContent(ApprovalRequestedSchema, "The request"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { tenant: requested, ...request } = c.req.valid("json");
      const tenant = writeTenant(caller, requested);
      const existing = await store.getApproval(request.id);
      if (existing) assertVisible(caller, existing.tenant, "approval", request.id);
      const result = await store.requestApproval({
        ...request,
        ...(tenant === undefined ? {} : { tenant }),
      });
      assertVisible(caller, result.approval.tenant, "approval", result.approval.id);
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/approvals/{id}/decision",
      tags,
      security,
      summary: "Record a decision made through a guard, with its ledger row",
      request: { params: ApprovalIdParamsSchema, body: jsonBody(ApprovalDecisionSchema) },
      responses: { 200: jsonContent(ApprovalSchema, "The decided request"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { id } = c.req.valid("param");
      await decidable(caller, id);
      const { approved, by, reason } = c.req.valid("json");
      const approval = await store.decideApproval(id, {
        approved,
        by,
        at: clock(),
        ...(reason === undefined ? {} : { reason }),
      });
      return c.json(approval, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/approvals/{id}/consume",
      tags,
      security,
      summary: "Spend an approved request once, if its binding matches",
      request: { params: ApprovalIdParamsSchema, body: jsonBody(ApprovalBindingSchema) },
      responses: {
        200: jsonContent(ConsumptionSchema, "What spending it yielded"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { id } = c.req.valid("param");
      const existing = await store.getApproval(id);
      // Another tenant's approval is, for this caller, one that does not exist.
      if (existing && caller.tenant !== undefined && existing.tenant !== caller.tenant) {
        return c.json({ result: "unknown" as const }, 200);
      }
      return c.json({ result: await store.consumeApproval(id, c.req.valid("json"), clock()) }, 200);
    },
  );

  for (const verdict of ["approve", "reject"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/v1/approvals/{id}/${verdict}`,
        tags,
        security,
        summary: `${verdict === "approve" ? "Approve" : "Reject"} a pending request, recorded in the ledger`,
        request: { params: ApprovalIdParamsSchema, body: jsonBody(VerdictSchema) },
        responses: { 200: jsonContent(ApprovalSchema, "The decided request"), ...problemResponses },
      }),
      async (c) => {
        const caller = c.get("caller");
        requireScope(caller, "approve");
        const { id } = c.req.valid("param");
        await decidable(caller, id);
        const body = c.req.valid("json");
        const input = {
          // A person signed in to the console decides as themselves, whatever the body says.
          by: caller.kind === "session" ? caller.subject : (body.by ?? callerName(caller)),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
        };
        const approval =
          verdict === "approve" ? await store.approve(id, input) : await store.reject(id, input);
        return c.json(approval, 200);
      },
    );
  }

  async function visibleApproval(caller: Caller, id: string): Promise<Approval> {
    const approval = await store.getApproval(id);
    if (!approval) throw notFound("approval request", id);
    assertVisible(caller, approval.tenant, "approval request", id);
    return approval;
  }

  /** Before deciding: another tenant's request answers as an unknown one does (approval.invalid, from the store). */
  async function decidable(caller: Caller, id: string): Promise<void> {
    const approval = await store.getApproval(id);
    if (approval && caller.tenant !== undefined && approval.tenant !== caller.tenant) {
      throw new WritError("approval.invalid", `No approval request "${id}".`, { approvalId: id });
    }
  }
}
