import { createRoute, z } from "@hono/zod-openapi";
import type { Approval, LedgerRecord } from "@writ/core";
import type { DelegationNode } from "@writ/store";
import { ApprovalSchema } from "../schemas/approval-schemas.js";
import { jsonContent, problemResponses } from "../schemas/common-schemas.js";
import { GrantListSchema } from "../schemas/grant-schemas.js";
import { LedgerRecordSchema } from "../schemas/ledger-schemas.js";
import { DelegationRecordSchema } from "../schemas/writ-schemas.js";
import { notFound, requireScope } from "../tenancy/tenant-access.js";
import { API_KEY_SECURITY, type RouteContext, type WritApp } from "./route-context.js";

const CallParamsSchema = z.object({
  callId: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: "callId", in: "path" } }),
});

const CallSchema = z
  .object({
    callId: z.string(),
    records: z.array(LedgerRecordSchema).readonly(),
    hops: z
      .array(DelegationRecordSchema.extend({ grants: GrantListSchema, revoked: z.boolean() }))
      .readonly(),
    payloads: z.record(z.string(), z.object({ body: z.unknown().optional(), erased: z.boolean() })),
    approvals: z.array(ApprovalSchema).readonly(),
  })
  .openapi("Call");

/**
 * One call, assembled for people: its ledger rows (decision, approval,
 * outcome), each hop of its chain with its grants and whether it is revoked,
 * its stored inputs and outputs (unless erased), and its approval requests.
 */
export function registerCallRoutes(app: WritApp, { store }: RouteContext): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/calls/{callId}",
      tags: ["Ledger"],
      security: API_KEY_SECURITY,
      summary:
        "A call: its ledger rows, its chain's hops and grants, inputs and outputs, approvals",
      request: { params: CallParamsSchema },
      responses: { 200: jsonContent(CallSchema, "The call"), ...problemResponses },
    }),
    async (c) => {
      const caller = c.get("caller");
      requireScope(caller, "read");
      const { callId } = c.req.valid("param");
      const records = (
        await store.queryLedger({
          callId,
          limit: 1000,
          ...(caller.tenant === undefined ? {} : { tenant: caller.tenant }),
        })
      ).records;
      if (records.length === 0) throw notFound("call", callId);
      const chain = records.find((row) => row.chain)?.chain;
      const hops: Omit<DelegationNode, "children">[] = [];
      const root =
        chain?.hops[0] === undefined ? undefined : await store.delegationTree(chain.hops[0]);
      let node: DelegationNode | undefined = root;
      for (const jti of chain?.hops ?? []) {
        if (!node || node.jti !== jti) break;
        const { children, ...hop } = node;
        hops.push(hop);
        const next = chain?.hops[hops.length];
        node = children.find((child) => child.jti === next);
      }
      const payloads: Record<string, { body?: unknown; erased: boolean }> = {};
      for (const hash of hashesOf(records)) {
        const payload = await store.getPayload(hash);
        if (payload) {
          payloads[hash] = {
            erased: payload.erased,
            ...(payload.body === undefined ? {} : { body: payload.body }),
          };
        }
      }
      const approvals: Approval[] = [];
      for (const id of new Set(records.map((row) => row.detail?.approvalId))) {
        if (typeof id !== "string") continue;
        const approval = await store.getApproval(id);
        if (approval) approvals.push(approval);
      }
      return c.json({ callId, records, hops, payloads, approvals }, 200);
    },
  );
}

function hashesOf(records: readonly LedgerRecord[]): Set<string> {
  return new Set(
    records.flatMap((row) => [row.inputHash, row.outputHash].filter((hash) => hash !== null)),
  );
}
