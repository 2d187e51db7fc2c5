import { type Call, type Guard, resumeApproval, type Session } from "@writ/core";
import { ADAPTER } from "./adapter.js";
import { type Approver, approverName } from "./approver.js";
import { sessionFromContext } from "./session-from-context.js";

/** What Writ's policy says about a call before the SDK would run it. */
export type PolicyApproval =
  /** A person must approve it (or has, through Writ, and it is not yet spent). */
  | "ask"
  /** The guard refuses it: asking anyone is pointless; execute refuses and records why. */
  | "refuse"
  /** The policy allows it without an approval. */
  | "free";

/** A person's answer to the SDK's approval request for one call. */
export interface ApprovalAnswer {
  readonly approved: boolean;
  readonly reason?: string;
}

/**
 * One tool withWrit guards: its guard, action and session, and the calls it
 * makes with them. Found again from the guarded tool (guardedToolOf) by
 * usableTools, writToolsContext, writToolApproval and recordApprovalResponses.
 */
export class GuardedTool {
  readonly guard: Guard;
  /** The tool's name in its ToolSet. */
  readonly name: string;
  readonly action: string;
  /** withWrit's session; undefined when each call brings its own. */
  readonly session: Session | undefined;
  readonly #approver: Approver | undefined;

  constructor(options: {
    readonly guard: Guard;
    readonly name: string;
    readonly action: string;
    readonly session: Session | undefined;
    readonly approver: Approver | undefined;
  }) {
    this.guard = options.guard;
    this.name = options.name;
    this.action = options.action;
    this.session = options.session;
    this.#approver = options.approver;
  }

  /**
   * The session a call is made with: withWrit's, or the one in the context
   * the SDK passed with the call (`{ context }` on AI SDK 7, `{
   * experimental_context }` on 6). A TypeError that says how to pass one.
   */
  sessionFor(options: object): Session {
    const session = this.session ?? sessionFromContext(options);
    if (session === undefined) {
      throw new TypeError(
        `withWrit has no session for tool "${this.name}": pass { session } to withWrit, or give each generateText / streamText call one: toolsContext: writToolsContext(tools, session) on AI SDK 7, experimental_context: { session } on AI SDK 6.`,
      );
    }
    return session;
  }

  /** The call the session signs for these arguments and tool call id. */
  call(session: Session, args: unknown, toolCallId: string, approvalId?: string): Call {
    return this.guard.callFrom(session, {
      action: this.action,
      tool: this.name,
      args,
      callId: toolCallId,
      adapter: ADAPTER,
      ...(approvalId === undefined ? {} : { approvalId }),
    });
  }

  /**
   * What Writ's policy says before the SDK runs a call. Asking opens the
   * guard's approval request for the call id and records it (once: a resumed
   * run meets the same request); an allow or deny records nothing
   * (`guard.preflight`), since execute decides and records the call.
   */
  async policyApproval(
    session: Session,
    args: unknown,
    toolCallId: string,
  ): Promise<PolicyApproval> {
    const decision = await this.guard.preflight(this.call(session, args, toolCallId));
    // An approval the guard already holds (granted through Writ, not yet
    // spent) still means the call needed one: the same answer on resume.
    if (decision.effect === "approval_required" || decision.code === "approval.granted")
      return "ask";
    return decision.effect === "deny" ? "refuse" : "free";
  }

  /**
   * Records a person's answer, given in the SDK's approval flow, on the
   * request the guard opened for this call, while it is pending. Returns the
   * request's id then; undefined when there is no pending request (decided
   * meanwhile through Writ, spent, expired, or the call is refused now), in
   * which case the guard's own state decides what becomes of the call.
   * `by` defaults to withWrit's approver.
   */
  async recordAnswer(
    session: Session,
    args: unknown,
    toolCallId: string,
    answer: ApprovalAnswer,
    by?: string,
  ): Promise<string | undefined> {
    const pending = await this.guard.preflight(this.call(session, args, toolCallId));
    if (pending.effect !== "approval_required") return undefined;
    const context = { tool: this.name, action: this.action, toolCallId, session };
    await resumeApproval(this.guard, pending.approvalId, {
      approved: answer.approved,
      by: by ?? approverName(this.#approver, context),
      ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    });
    return pending.approvalId;
  }
}

const guardedTools = new WeakMap<object, GuardedTool>();

/** Notes the tool withWrit made, so the set's helpers can find what guards it. */
export function noteGuardedTool(tool: object, guarded: GuardedTool): void {
  guardedTools.set(tool, guarded);
}

/** What guards a tool withWrit made; undefined for any other value. */
export function guardedToolOf(tool: unknown): GuardedTool | undefined {
  return typeof tool === "object" && tool !== null ? guardedTools.get(tool) : undefined;
}
