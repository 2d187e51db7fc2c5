import { createRoute } from "@hono/zod-openapi";
import type { BudgetCharge } from "@writ/core/backend";
import type { Caller } from "../auth/caller.js";
import { withoutUndefined } from "../http/without-undefined.js";
import {
  BudgetReleaseRequestSchema,
  BudgetReservationRequestSchema,
  BudgetReservationResultSchema,
  BudgetUsageListSchema,
  BudgetUsageQuerySchema,
  ReservationIdParamsSchema,
} from "../schemas/budget-schemas.js";
import { jsonBody, jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { requireScope } from "../tenancy/tenant-access.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const tags = ["Budgets"];
const security = API_KEY_SECURITY;

/**
 * Budgets (DESIGN §7b): remote guards reserve a call's budgets before its tool
 * runs and release them when it fails or never runs; admins read what the
 * current windows hold. The server's store reserves on its own clock. A
 * tenant's key reaches only its tenant's counters and reservations: its keys
 * and ids are namespaced by tenant here, so it can neither spend nor release
 * another tenant's budgets.
 */
export function registerBudgetRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/budgets/reservations",
      tags,
      security,
      summary: "Reserve every budget a call is charged against, atomically, or none",
      request: { body: jsonBody(BudgetReservationRequestSchema) },
      responses: {
        200: jsonContent(BudgetReservationResultSchema, "Reserved, or the budget that did not fit"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { id, callId, charges } = c.req.valid("json");
      const result = await store.reserveBudgets({
        id: reservationId(caller, id),
        callId,
        charges: charges.map(
          (charge): BudgetCharge => ({
            ...withoutUndefined(charge),
            key: `${tenantPrefix(caller)}${charge.key}`,
          }),
        ),
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/budgets/reservations/{id}/release",
      tags,
      security,
      summary:
        "Give a reservation back (a call that failed or never ran), as much as the server recorded it took; idempotent",
      request: { params: ReservationIdParamsSchema, body: jsonBody(BudgetReleaseRequestSchema) },
      responses: { 204: { description: "Released" }, ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "guard");
      const { callId } = c.req.valid("json");
      await store.releaseBudgets(reservationId(caller, c.req.valid("param").id), callId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/budgets",
      tags,
      security,
      summary: "What the budgets' current windows hold, of one hop, user or agent",
      request: { query: BudgetUsageQuerySchema },
      responses: {
        200: jsonContent(BudgetUsageListSchema, "Budget counters of the open windows"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const usage = await store.budgetUsage(withoutUndefined(c.req.valid("query")));
      const prefix = tenantPrefix(caller);
      return c.json(
        {
          usage:
            prefix === ""
              ? usage
              : usage
                  .filter((counter) => counter.key.startsWith(prefix))
                  .map((counter) => ({ ...counter, key: counter.key.slice(prefix.length) })),
        },
        200,
      );
    },
  );
}

function tenantPrefix(caller: Caller): string {
  return caller.tenant === undefined ? "" : `tenant:${caller.tenant} `;
}

function reservationId(caller: Caller, id: string): string {
  return caller.tenant === undefined ? id : `tenant:${caller.tenant} ${id}`;
}
