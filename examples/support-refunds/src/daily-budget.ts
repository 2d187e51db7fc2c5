/**
 * The afternoon shift: the team lead gives the planner a daily refund budget
 * that holds for its whole chain. The worker it delegates to keeps its own
 * per-call limit ($50), and every refund it makes under that limit still
 * spends the planner's $100 for the day: the third $40 refund is refused,
 * though no single call broke a rule, and a smaller one that fits what is
 * left goes through.
 */
import { randomUUID } from "node:crypto";
import type { BaseMessage } from "@langchain/core/messages";
import { createGuard, type LedgerRecord, Session } from "@writ/core";
import type { BudgetUsage } from "@writ/core/backend";
import type { StoreBackend } from "@writ/store";
import { AIMessage, fakeModel } from "langchain";
import { createRefundWorker } from "./agents.js";
import { PLANNER, registerDirectory, USER, WORKER, WORKER_TTL_SECONDS } from "./directory.js";
import { Payments, type Refund, type RefundRequest, SupportDesk } from "./support-desk.js";
import { AUDIENCE } from "./support-refunds.js";

/**
 * The planner's writ for the afternoon: Alice's routine refunds, capped at
 * $100 a day for everything done under this hop, by the planner or by any
 * agent it delegates to. (One currency: a sum over dollars and euros would
 * add unlike things.)
 */
export const PLANNER_DAILY_GRANTS =
  "refunds.approve(amount < 50, currency == USD) within sum(amount) <= 100 per 1d";

/** Four routine refunds, each under the worker's $50 limit; together more than $100. */
export const AFTERNOON_QUEUE: readonly RefundRequest[] = [
  { order: "B-2001", customer: "C-2001", amount: 40, currency: "USD", reason: "damaged box" },
  { order: "B-2002", customer: "C-2002", amount: 40, currency: "USD", reason: "late delivery" },
  { order: "B-2003", customer: "C-2003", amount: 40, currency: "USD", reason: "missing part" },
  { order: "B-2004", customer: "C-2004", amount: 15, currency: "USD", reason: "wrong colour" },
];

export interface DailyBudgetResult {
  readonly refunds: readonly Refund[];
  /** The guard's decisions on the worker's calls, in order. */
  readonly decisions: readonly LedgerRecord[];
  /** The planner hop's budget as the store counts it after the shift. */
  readonly usage: readonly BudgetUsage[];
  readonly workerReply: string;
}

export async function runDailyBudget(store: StoreBackend): Promise<DailyBudgetResult> {
  const agents = await registerDirectory(store);
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: AUDIENCE,
  });
  try {
    // The budget rides on the planner's own hop, narrowed from Alice's permissions.
    const planner = new Session(
      agents.planner,
      await store.issue({
        user: USER,
        agent: PLANNER,
        key: agents.planner.thumbprint,
        grants: PLANNER_DAILY_GRANTS,
      }),
    );
    // The worker's grants carry no budget of their own: the planner's holds anyway.
    const worker = planner.delegate(agents.worker, {
      grants: "refunds.approve(amount < 50, currency == USD)",
      ttl: WORKER_TTL_SECONDS,
      maxDepth: 0,
    });
    const payments = new Payments(async () => undefined);
    const agent = createRefundWorker({
      model: scriptedWorker(AFTERNOON_QUEUE),
      guard,
      desk: new SupportDesk(AFTERNOON_QUEUE),
      payments,
    });
    const state = await agent.invoke(
      {
        messages: [
          {
            role: "user",
            content: `Approve these refunds, in this order:\n${AFTERNOON_QUEUE.map((r) => `- ${r.order}: ${r.amount} ${r.currency}`).join("\n")}`,
          },
        ],
      },
      {
        configurable: { thread_id: `afternoon-${randomUUID()}` },
        context: { writSession: worker },
      },
    );
    const { records } = await store.queryLedger({ kind: "decision", agent: WORKER, limit: 1000 });
    return {
      refunds: payments.refunds,
      decisions: records.filter((row) => row.chain?.hops.at(-1) === worker.writ.leaf.claims.jti),
      usage: await store.budgetUsage({ subject: planner.writ.root.claims.jti }),
      workerReply: (state.messages as BaseMessage[]).at(-1)?.text ?? "",
    };
  } finally {
    await guard.close();
  }
}

/** The worker, scripted: one refund call per request, then a summary. */
function scriptedWorker(queue: readonly RefundRequest[]) {
  const run = randomUUID().slice(0, 8);
  let model = fakeModel();
  for (const { order, amount, currency } of queue) {
    model = model.respondWithTools([
      { name: "approve_refund", args: { order, amount, currency }, id: `call_${order}_${run}` },
    ]);
  }
  return model.respond(
    new AIMessage(
      "Refunded B-2001, B-2002 and B-2004. B-2003 would go over today's refund budget.",
    ),
  );
}
