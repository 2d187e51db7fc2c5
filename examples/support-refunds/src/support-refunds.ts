/**
 * The support-refunds workflow, start to end: Alice's planner assigns the
 * morning's refund requests to a worker under a narrower writ; the worker's
 * calls are allowed, sent to a human, denied, and finally refused once its
 * writ is revoked. Everything it prints is read back from the ledger.
 */
import { randomUUID } from "node:crypto";
import { Command } from "@langchain/langgraph";
import { createGuard, type LedgerRecord, Session, type Writ } from "@writ/core";
import type { WritApprovalDecision, WritApprovalRequest } from "@writ/langchain";
import type { DelegationNode, LedgerVerification, StoreBackend } from "@writ/store";
import type { BaseMessage } from "langchain";
import { type Assignment, createPlanner, createRefundWorker } from "./agents.js";
import {
  ALICE_PERMISSIONS,
  PLANNER,
  PLANNER_POLICY,
  registerDirectory,
  USER,
  WORKER,
  WORKER_POLICY,
} from "./directory.js";
import type { Models } from "./models.js";
import {
  Payments,
  type Refund,
  type RefundRequest,
  SupportDesk,
  type VelocityAlert,
} from "./support-desk.js";

/** The guard's audience: proofs name it, so they are good for this guard only. */
export const AUDIENCE = "urn:writ:example:support-refunds";

/** The human who answers approval requests. */
export type Reviewer = (request: WritApprovalRequest) => Promise<WritApprovalDecision>;

/** Hooks for telling the story as it happens; every one is optional. */
export interface Narrator {
  directory?(entries: readonly { readonly who: string; readonly grants: string }[]): void;
  section?(title: string): void;
  /** Ledger rows appended since the last call, with the arguments stored for each call. */
  rows?(rows: readonly LedgerRecord[], inputs: ReadonlyMap<string, unknown>): void;
  delegated?(writ: Writ): void;
  reviewing?(request: WritApprovalRequest): void;
  reviewed?(request: WritApprovalRequest, decision: WritApprovalDecision): void;
  alert?(alert: VelocityAlert): void;
  said?(agent: string, text: string): void;
  tree?(tree: DelegationNode, user: string): void;
  verified?(verification: LedgerVerification): void;
}

export interface SupportRefundsOptions {
  /** The store behind the guard: `sqliteBackend()` for the embedded default. */
  readonly store: StoreBackend;
  readonly models: Models;
  readonly reviewer: Reviewer;
  readonly narrator?: Narrator;
}

export interface SupportRefundsResult {
  readonly plannerSession: Session;
  /** The worker's session, once the planner assigned work. */
  readonly workerSession: Session | undefined;
  readonly refunds: readonly Refund[];
  /** Every ledger row this run appended, in order. */
  readonly rows: readonly LedgerRecord[];
  readonly tree: DelegationNode | undefined;
  readonly verification: LedgerVerification;
  readonly plannerReply: string;
  readonly workerReply: string | undefined;
}

export async function runSupportRefunds(
  options: SupportRefundsOptions,
): Promise<SupportRefundsResult> {
  const { store, models, reviewer } = options;
  const narrator = options.narrator ?? {};
  const ledger = new LedgerCursor(store);
  const flush = async () => {
    const { rows, inputs } = await ledger.next();
    if (rows.length > 0) narrator.rows?.(rows, inputs);
  };

  const agents = await registerDirectory(store);
  narrator.directory?.([
    { who: `user ${USER}`, grants: ALICE_PERMISSIONS },
    { who: `agent ${PLANNER}`, grants: PLANNER_POLICY },
    { who: `agent ${WORKER}`, grants: WORKER_POLICY },
  ]);
  await ledger.skip(); // the directory's admin rows are not part of the story

  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: AUDIENCE,
    // Keep each refund's arguments (erasable): the story, the console and a what-if replay read them.
    payloads: { full: { actions: ["refunds.*"] } },
  });
  try {
    // The root writ: Alice's permissions ∩ the planner's policy, bound to this run's planner key.
    const plannerSession = new Session(
      agents.planner,
      await store.issue({ user: USER, agent: PLANNER, key: agents.planner.thumbprint }),
    );
    const desk = new SupportDesk();
    let assignment: Assignment | undefined;
    const planner = createPlanner({
      model: models.planner,
      guard,
      desk,
      worker: agents.worker,
      onAssign: (assigned) => {
        assignment = assigned;
      },
    });

    narrator.section?.(`${PLANNER} reads the queue and assigns the refunds, for ${USER}`);
    const planned = await planner.invoke(
      { messages: [{ role: "user", content: "Please handle this morning's refund requests." }] },
      { context: { writSession: plannerSession } },
    );
    await flush();
    const plannerReply = lastText(planned.messages);
    narrator.said?.(PLANNER, plannerReply);

    let workerReply: string | undefined;
    const payments = new Payments(async (alert) => {
      // The payments team's rule: a velocity alert suspends the agent that
      // made the refund, by revoking its hop. The revocation is enforced
      // before revoke() resolves, so the worker's very next call is refused.
      await flush();
      narrator.alert?.(alert);
      await store.revoke({
        kind: "hop",
        id: alert.writHop,
        reason: `velocity alert: ${alert.refunds} refunds to ${alert.customer} within ${alert.windowMinutes} minutes`,
      });
    });
    const workerSession = (assignment as Assignment | undefined)?.session;
    if (assignment) {
      narrator.delegated?.(assignment.session.writ);
      narrator.section?.(`${WORKER} works through ${assignment.requests.length} refunds`);
      workerReply = await runWorker({
        worker: createRefundWorker({ model: models.worker, guard, desk, payments }),
        assignment,
        reviewer,
        narrator,
        flush,
      });
      narrator.said?.(WORKER, workerReply);
    }

    const tree = await store.delegationTree(plannerSession.writ.root.claims.jti);
    if (tree) narrator.tree?.(tree, USER);
    const verification = await store.verifyLedger();
    narrator.verified?.(verification);
    return {
      plannerSession,
      workerSession,
      refunds: payments.refunds,
      rows: ledger.seen,
      tree,
      verification,
      plannerReply,
      workerReply,
    };
  } finally {
    await guard.close();
  }
}

/**
 * Runs the worker on its assignment. A refund that needs a human interrupts
 * the run (LangGraph's interrupt, raised by writMiddleware); the reviewer
 * answers and the run resumes from its checkpoint, where the guard spends
 * the approval on exactly the call it was asked for.
 */
async function runWorker(input: {
  readonly worker: ReturnType<typeof createRefundWorker>;
  readonly assignment: Assignment;
  readonly reviewer: Reviewer;
  readonly narrator: Narrator;
  readonly flush: () => Promise<void>;
}): Promise<string> {
  const { worker, assignment, reviewer, narrator, flush } = input;
  const config = {
    configurable: { thread_id: `refunds-${randomUUID()}` },
    context: { writSession: assignment.session },
  };
  let state = await worker.invoke(
    { messages: [{ role: "user", content: taskFor(assignment.requests) }] },
    config,
  );
  while (state.__interrupt__ && state.__interrupt__.length > 0) {
    await flush();
    const answers: Record<string, { decisions: [WritApprovalDecision] }> = {};
    for (const pending of state.__interrupt__) {
      const request = pending.value as WritApprovalRequest;
      narrator.reviewing?.(request);
      const decision = await reviewer(request);
      narrator.reviewed?.(request, decision);
      answers[pending.id ?? ""] = { decisions: [decision] };
    }
    const [only, ...more] = Object.values(answers);
    // One pending interrupt takes its answer as is; several are answered by interrupt id.
    const resume = only && more.length === 0 ? only : answers;
    state = await worker.invoke(new Command({ resume }), config);
  }
  await flush();
  return lastText(state.messages);
}

function taskFor(requests: readonly RefundRequest[]): string {
  const lines = requests.map(
    (r) => `- ${r.order}: ${r.amount} ${r.currency} for customer ${r.customer} (${r.reason})`,
  );
  return `Approve these refunds, in this order:\n${lines.join("\n")}`;
}

function lastText(messages: readonly BaseMessage[]): string {
  const last = messages.at(-1);
  return last ? last.text : "";
}

/**
 * Reads this writer's ledger rows in order, a batch at a time, with the
 * stored arguments of each call: the story is told from what was recorded.
 */
class LedgerCursor {
  readonly #store: StoreBackend;
  readonly seen: LedgerRecord[] = [];
  #lastSeq = 0;

  constructor(store: StoreBackend) {
    this.#store = store;
  }

  async skip(): Promise<void> {
    const rows = await this.#read();
    this.#lastSeq = rows.at(-1)?.seq ?? this.#lastSeq;
  }

  async next(): Promise<{ rows: LedgerRecord[]; inputs: Map<string, unknown> }> {
    const rows = await this.#read();
    this.#lastSeq = rows.at(-1)?.seq ?? this.#lastSeq;
    this.seen.push(...rows);
    const inputs = new Map<string, unknown>();
    for (const row of rows) {
      if (row.inputHash && !inputs.has(row.inputHash)) {
        const payload = await this.#store.getPayload(row.inputHash);
        if (payload?.body !== undefined) inputs.set(row.inputHash, payload.body);
      }
    }
    return { rows, inputs };
  }

  async #read(): Promise<LedgerRecord[]> {
    const rows: LedgerRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.queryLedger({
        chainId: this.#store.chainId,
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      });
      rows.push(...page.records.filter((row) => row.seq > this.#lastSeq));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return rows.sort((a, b) => a.seq - b.seq);
  }
}
