/**
 * The two agents, as LangChain `createAgent` agents guarded by one line:
 * `writMiddleware`. The tools are ordinary LangChain tools; the middleware
 * asks Writ's guard before each one runs.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { MemorySaver } from "@langchain/langgraph";
import type { AgentIdentity, Guard, Session } from "@writ/core";
import { writMiddleware, writSession } from "@writ/langchain";
import { createAgent, tool } from "langchain";
import { z } from "zod";
import { WORKER_GRANTS, WORKER_TTL_SECONDS } from "./directory.js";
import type { Payments, RefundRequest, SupportDesk } from "./support-desk.js";

/** Tool name → Writ action. The guard checks actions, so tools keep their framework names. */
export const ACTIONS = {
  list_refund_requests: "tickets.read",
  assign_refund_worker: "support.assign",
  approve_refund: "refunds.approve",
} as const;

export interface Assignment {
  readonly session: Session;
  readonly requests: readonly RefundRequest[];
}

export interface PlannerOptions {
  readonly model: BaseChatModel;
  readonly guard: Guard;
  readonly desk: SupportDesk;
  /** The worker the planner delegates to: its id and key. */
  readonly worker: AgentIdentity;
  /** Told about each assignment; the application runs the worker with the session it carries. */
  readonly onAssign: (assignment: Assignment) => void;
}

/**
 * The support planner: reads the queue and assigns refunds to the worker. The
 * assignment is where delegation happens: `session.delegate()` signs a
 * narrower writ for the worker's key, inside a call the guard has allowed.
 */
export function createPlanner({ model, guard, desk, worker, onAssign }: PlannerOptions) {
  const listRefundRequests = tool(async () => JSON.stringify(desk.openRequests()), {
    name: "list_refund_requests",
    description: "List the open refund requests in the support queue.",
    schema: z.object({}),
  });
  const assignRefundWorker = tool(
    async ({ orders }, runtime) => {
      const requests = orders.map((order) => desk.find(order));
      const unknown = orders.filter((_, i) => requests[i] === undefined);
      if (unknown.length > 0) throw new Error(`No open refund request for ${unknown.join(", ")}.`);
      const session = writSession(runtime).delegate(worker, {
        grants: WORKER_GRANTS,
        ttl: WORKER_TTL_SECONDS,
        maxDepth: 0,
      });
      onAssign({ session, requests: requests as RefundRequest[] });
      return `Assigned ${orders.length} refund request(s) to ${worker.id}.`;
    },
    {
      name: "assign_refund_worker",
      description:
        "Hand refund requests to the refund worker agent, which approves them one by one.",
      schema: z.object({
        orders: z.array(z.string()).min(1).describe("Order ids of the requests to hand over"),
      }),
    },
  );
  return createAgent({
    model,
    tools: [listRefundRequests, assignRefundWorker],
    systemPrompt:
      "You are the support planner. List the open refund requests, then assign all of them to the refund worker in one call. Do not approve refunds yourself. Finish with one sentence for the team lead.",
    middleware: [writMiddleware({ guard, actions: ACTIONS })],
  });
}

export interface WorkerOptions {
  readonly model: BaseChatModel;
  readonly guard: Guard;
  readonly desk: SupportDesk;
  readonly payments: Payments;
}

/**
 * The refund worker: approves refunds one at a time. It needs a checkpointer:
 * a refund that needs a human interrupts the run, and the run resumes from
 * the checkpoint once the human has answered.
 */
export function createRefundWorker({ model, guard, desk, payments }: WorkerOptions) {
  const approveRefund = tool(
    async ({ order, amount, currency }, runtime) => {
      // Writ decided whether this agent may refund this amount; whether the
      // order is owed it is the application's own business rule.
      const request = desk.find(order);
      if (!request) throw new Error(`No open refund request for ${order}.`);
      if (amount > request.amount || currency !== request.currency) {
        throw new Error(`${order} asks for ${request.amount} ${request.currency}.`);
      }
      const refund = await payments.refund({
        order,
        customer: request.customer,
        amount,
        currency,
        writHop: writSession(runtime).writ.leaf.claims.jti,
      });
      return `Refunded ${refund.amount} ${refund.currency} on ${order}.`;
    },
    {
      name: "approve_refund",
      description: "Refund an order. Amount in the order's currency.",
      schema: z.object({
        order: z.string(),
        amount: z.number().positive(),
        currency: z.enum(["USD", "EUR"]),
      }),
    },
  );
  return createAgent({
    model,
    tools: [approveRefund],
    systemPrompt:
      "You are the refund worker. Approve each assigned refund with approve_refund, one call at a time, in the order given. If a refund is denied, do not retry it with other values: move on. Finish with a short summary of what was refunded and what was not.",
    middleware: [writMiddleware({ guard, actions: ACTIONS })],
    checkpointer: new MemorySaver(),
  });
}
