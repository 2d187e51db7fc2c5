import type { Clock } from "../clock.js";
import { WritError } from "../errors.js";
import { isAction } from "../grants/action-pattern.js";
import type { LiveView } from "../live/live-view.js";
import { argumentsDigest } from "../proof/arguments-hash.js";
import type { ProofVerifier } from "../proof/verify-proof.js";
import type { WritVerifier } from "../writ/verify-writ.js";
import type { ApprovalFlow } from "./approval-flow.js";
import { assertFresh } from "./assert-fresh.js";
import { budgetCharges } from "./budget-charges.js";
import type { Call } from "./call.js";
import { checkLiveState } from "./check-live-state.js";
import type { Decision } from "./decision.js";
import { type DecisionContext, decisionFor, denialFor } from "./decision-context.js";
import type { DelegationRecorder } from "./delegation-recorder.js";
import { authorityLayers, evaluateAuthority, setQueriesOf } from "./evaluate-authority.js";
import { failClosed } from "./fail-closed.js";
import { resolveSets, type SetResolver } from "./set-resolver.js";

/**
 * The guard pipeline up to the decision (DESIGN §4): bounds, the writ, the
 * proof, live state, every layer of authority, then the approval flow where a
 * layer asks for one. An allowed call's budgets go in its context: the
 * caller reserves them as it records the decision (one commit).
 */
export class DecisionPipeline {
  readonly #verifier: WritVerifier;
  readonly #proofs: ProofVerifier;
  readonly #view: LiveView;
  readonly #sets: Readonly<Record<string, SetResolver>>;
  readonly #setDeadlineMs: number;
  readonly #clock: Clock;
  readonly #maxStalenessMs: number;
  readonly #delegations: DelegationRecorder;
  readonly #approvals: ApprovalFlow;

  constructor(parts: {
    readonly verifier: WritVerifier;
    readonly proofs: ProofVerifier;
    readonly view: LiveView;
    readonly sets: Readonly<Record<string, SetResolver>>;
    readonly setDeadlineMs: number;
    readonly clock: Clock;
    readonly maxStalenessMs: number;
    readonly delegations: DelegationRecorder;
    readonly approvals: ApprovalFlow;
  }) {
    this.#verifier = parts.verifier;
    this.#proofs = parts.proofs;
    this.#view = parts.view;
    this.#sets = parts.sets;
    this.#setDeadlineMs = parts.setDeadlineMs;
    this.#clock = parts.clock;
    this.#maxStalenessMs = parts.maxStalenessMs;
    this.#delegations = parts.delegations;
    this.#approvals = parts.approvals;
  }

  /**
   * Decides a call. Only a missing call object is a TypeError (nothing could
   * be decided or recorded); anything else that goes wrong, a malformed call
   * included, is a deny, never an exception. `preflight` decides ahead of a
   * run: nothing is spent.
   */
  async evaluate(
    call: Call,
    preflight: boolean,
  ): Promise<{ context: DecisionContext; decision: Decision }> {
    if (call === null || typeof call !== "object") {
      throw new TypeError("guard.authorize needs a call object.");
    }
    const started = this.#clock();
    if (!isWellFormed(call)) {
      // Tool names and actions often come from the caller (an MCP client, a
      // model): a malformed one is refused and recorded in a printable form.
      const context: DecisionContext = { call: printableCall(call), started, preflight };
      return { context, decision: denialFor(context, "request.invalid", {}) };
    }
    const context: DecisionContext = { call, started, preflight };
    try {
      return { context, decision: await this.#decide(context) };
    } catch (error) {
      // Fail closed: whatever went wrong, the call does not run.
      const failure = failClosed(error);
      return { context, decision: denialFor(context, failure.code, failure.details) };
    }
  }

  async #decide(context: DecisionContext): Promise<Decision> {
    const { call, started: now } = context;
    const verified = this.#verifier.verify(call.writ, now);
    context.verified = verified;
    // The signature first: a caller without the session key is refused
    // before the guard spends anything on the arguments, however large.
    const proof = this.#proofs.authenticate(
      call.proof,
      { action: call.action, tool: call.tool, leaf: verified.leaf },
      now,
    );
    const { hash: argsHash, bytes } = digestArguments(call.args);
    context.argsHash = argsHash;
    context.argsBytes = bytes;
    this.#proofs.spend(
      proof,
      {
        argsHash: call.sentArgs === undefined ? argsHash : digestArguments(call.sentArgs).hash,
        leaf: verified.leaf,
        writ: call.writ,
        ...(call.http ? { http: call.http } : {}),
      },
      now,
    );
    assertFresh(this.#view, now, this.#maxStalenessMs);
    checkLiveState(this.#view, verified);
    const recording = this.#delegations.recordNewHops(verified);
    if (recording) await recording;
    const layers = authorityLayers(verified, this.#view);
    const queries = setQueriesOf(layers, call.action, call.args);
    const membership =
      queries.length === 0
        ? () => undefined
        : await resolveSets(
            this.#sets,
            queries,
            {
              user: verified.user,
              tenant: verified.tenant,
              agent: verified.leaf.claims.aud,
              action: call.action,
            },
            this.#setDeadlineMs,
          );
    const verdict = evaluateAuthority(layers, call.action, call.args, membership);
    if (verdict.effect === "deny") {
      const { effect: _effect, code, ...where } = verdict;
      return denialFor(context, code, where);
    }
    const charges = budgetCharges(verdict.permits, verified, call.args);
    const decision =
      verdict.effect === "allow"
        ? decisionFor(context, "allow", "granted")
        : await this.#approvals.decide(context, verified, argsHash);
    // A preflight spends nothing: the run that follows reserves.
    if (decision.effect === "allow" && !context.preflight && charges.length > 0)
      context.charges = charges;
    return decision;
  }
}

function isWellFormed(call: Call): boolean {
  return (
    isAction(call.action) &&
    typeof call.tool === "string" &&
    call.tool.length > 0 &&
    typeof call.callId === "string" &&
    call.callId.length > 0
  );
}

/** The longest malformed name a refusal records. */
const MAX_PRINTED = 200;

/** The call with its names as text that is safe to record and show: escaped, bounded. */
function printableCall(call: Call): Call {
  const printable = (name: unknown) =>
    typeof name === "string" ? JSON.stringify(name).slice(1, -1).slice(0, MAX_PRINTED) : "";
  return {
    ...call,
    action: isAction(call.action) ? call.action : printable(call.action),
    tool: printable(call.tool),
    callId: printable(call.callId),
  };
}

function digestArguments(args: unknown): { readonly hash: string; readonly bytes: number } {
  try {
    return argumentsDigest(args);
  } catch (error) {
    throw new WritError(
      "proof.args_mismatch",
      "The call's arguments have no canonical JSON form (NaN, Infinity, cycles…).",
      {},
      error,
    );
  }
}
