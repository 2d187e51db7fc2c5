import { type ApprovalBinding, spendApproval } from "../approval.js";
import type { Backend } from "../backend/backend.js";
import type { Clock, RandomSource } from "../clock.js";
import { uuidV7 } from "../encoding/uuid-v7.js";
import type { WritErrorCode } from "../errors.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";
import type { Decision } from "./decision.js";
import { type DecisionContext, decisionFor, denialFor } from "./decision-context.js";

/**
 * A call some layer permits only with a human's approval. Approvals are
 * bound to (action, tool, argument hash, leaf hop) and found by call id, so a
 * framework resuming the same call meets the same request in whatever state
 * it is: still pending (asked once, recorded once), approved (spent now,
 * once), or spent, rejected or expired (refused, so a replayed answer can
 * never release the call twice).
 */
export class ApprovalFlow {
  readonly #backend: Backend;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #ttlMs: number;

  constructor(options: {
    readonly backend: Backend;
    readonly clock: Clock;
    readonly random: RandomSource;
    readonly ttlMs: number;
  }) {
    this.#backend = options.backend;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#ttlMs = options.ttlMs;
  }

  /** The decision on a call that needs approval: its request opened, found again, or spent. */
  async decide(
    context: DecisionContext,
    verified: VerifiedWrit,
    argsHash: string,
  ): Promise<Decision> {
    const { call, started: now } = context;
    const binding = {
      action: call.action,
      tool: call.tool,
      argsHash,
      leafHash: verified.leaf.hash,
    };
    if (call.approvalId !== undefined) return this.#spend(context, call.approvalId, binding);
    const { approval, created } = await this.#backend.requestApproval({
      ...binding,
      id: uuidV7(this.#clock, this.#random),
      callId: call.callId,
      user: verified.user,
      agent: verified.leaf.claims.aud,
      tenant: verified.tenant,
      chain: verified.agents,
      requestedAt: now,
      expiresAt: now + this.#ttlMs,
    });
    if (!created && spendApproval(approval, binding, now) !== "pending") {
      return this.#spend(context, approval.id, binding);
    }
    context.alreadyRecorded = !created;
    return decisionFor(context, "approval_required", "approval.required", {
      approvalId: approval.id,
    });
  }

  async #spend(
    context: DecisionContext,
    approvalId: string,
    binding: ApprovalBinding,
  ): Promise<Decision> {
    // A preflight only looks: the run that follows spends the approval.
    const spent = context.preflight
      ? spendApproval(await this.#backend.getApproval(approvalId), binding, context.started)
      : await this.#backend.consumeApproval(approvalId, binding, context.started);
    if (spent === "consumed")
      return decisionFor(context, "allow", "approval.granted", { approvalId });
    if (spent === "pending")
      return decisionFor(context, "approval_required", "approval.required", { approvalId });
    const code: WritErrorCode =
      spent === "rejected"
        ? "approval.rejected"
        : spent === "already_consumed"
          ? "approval.consumed"
          : spent === "expired"
            ? "approval.expired"
            : "approval.invalid";
    return denialFor(context, code, { approvalId });
  }
}
