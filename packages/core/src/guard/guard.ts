import type { Approval } from "../approval.js";
import type { Backend } from "../backend/backend.js";
import { type Clock, systemClock, systemRandom } from "../clock.js";
import type { WritErrorCode } from "../errors.js";
import type { LiveWatch } from "../live/live-state.js";
import { LiveView } from "../live/live-view.js";
import { ProofVerifier } from "../proof/verify-proof.js";
import type { Session } from "../session.js";
import { type ObservedLiveView, observeLiveView } from "../telemetry/observe-live-view.js";
import { timeLedgerAppends } from "../telemetry/time-ledger-appends.js";
import { traceAuthorize } from "../telemetry/trace-authorize.js";
import { type VerifiedWrit, WritVerifier } from "../writ/verify-writ.js";
import { ApprovalFlow } from "./approval-flow.js";
import { assertFresh } from "./assert-fresh.js";
import { withDeadline } from "./backend-deadline.js";
import { BudgetReserver } from "./budget-reserver.js";
import type { Call, CallInput } from "./call.js";
import { checkLiveState } from "./check-live-state.js";
import type {
  AllowDecision,
  ApprovalRequiredDecision,
  Decision,
  DenyDecision,
} from "./decision.js";
import { DecisionPipeline } from "./decision-pipeline.js";
import { DelegationRecorder } from "./delegation-recorder.js";
import { authorityLayers } from "./evaluate-authority.js";
import { failClosed } from "./fail-closed.js";
import { GuardLedger, type ToolOutcome } from "./guard-ledger.js";
import type { GuardOptions } from "./guard-options.js";
import { type CallCheck, OpenCalls } from "./open-calls.js";
import { type RunAllowedOptions, runAllowed } from "./run-allowed.js";

/** The result of guard.run(): the tool's output when allowed, otherwise the decision alone. */
export type GuardedRun<T> =
  | { readonly decision: AllowDecision; readonly output: T }
  | { readonly decision: DenyDecision | ApprovalRequiredDecision };

/** The answer of guard.checkWrit(): who the writ acts for, or why it is not accepted. */
export type WritCheck =
  | {
      readonly valid: true;
      readonly user: string;
      readonly tenant?: string;
      /** The leaf agent. */
      readonly agent: string;
      /** Agent ids root→leaf. */
      readonly chain: readonly string[];
    }
  | { readonly valid: false; readonly code: WritErrorCode; readonly message: string };

/**
 * The enforcement point (DESIGN §4): verifies the writ and proof, checks live
 * state, evaluates every layer of authority, records the decision durably,
 * and only then lets a tool run. Every adapter uses this one guard.
 */
export class Guard {
  readonly audience: string;
  readonly #backend: Backend;
  readonly #view: LiveView;
  readonly #verifier: WritVerifier;
  readonly #clock: Clock;
  readonly #maxStalenessMs: number;
  readonly #pipeline: DecisionPipeline;
  readonly #ledger: GuardLedger;
  readonly #budgets: BudgetReserver;
  readonly #countFailedCalls: boolean;
  /** Allowed calls until complete() records how they ended. */
  readonly #openCalls: OpenCalls;
  #watch: LiveWatch | undefined;
  readonly #observed: ObservedLiveView;

  /** @internal use createGuard(), which also starts the live feed */
  constructor(options: GuardOptions) {
    if (typeof options.audience !== "string" || options.audience.length === 0) {
      throw new TypeError("createGuard needs an audience: the name proofs must be addressed to.");
    }
    this.audience = options.audience;
    const deadlineMs = options.backendDeadlineMs ?? 5000;
    this.#backend = timeLedgerAppends(withDeadline(options.backend, deadlineMs));
    this.#clock = options.clock ?? systemClock;
    this.#view = new LiveView(this.#clock);
    this.#observed = observeLiveView(this.#view, this.#clock, this.audience);
    this.#verifier = new WritVerifier({
      issuer: options.issuer,
      ...(options.clockSkew === undefined ? {} : { clockSkew: options.clockSkew }),
      ...(options.hopCacheSize === undefined ? {} : { cacheSize: options.hopCacheSize }),
    });
    this.#maxStalenessMs = options.maxStalenessMs ?? 2000;
    this.#ledger = new GuardLedger({
      backend: this.#backend,
      clock: this.#clock,
      ...(options.payloads === undefined ? {} : { payloads: options.payloads }),
      ...(options.onLedgerError === undefined ? {} : { onLedgerError: options.onLedgerError }),
    });
    this.#budgets = new BudgetReserver({
      backend: this.#backend,
      clock: this.#clock,
      random: options.random ?? systemRandom,
      onError: (error) => this.#ledger.report(error),
    });
    this.#countFailedCalls = options.countFailedCalls ?? false;
    this.#pipeline = new DecisionPipeline({
      verifier: this.#verifier,
      proofs: new ProofVerifier({
        audience: options.audience,
        ...(options.proofLifetime === undefined ? {} : { lifetime: options.proofLifetime }),
        ...(options.clockSkew === undefined ? {} : { clockSkew: options.clockSkew }),
        ...(options.replayCacheSize === undefined
          ? {}
          : { replayCacheSize: options.replayCacheSize }),
      }),
      view: this.#view,
      sets: options.sets ?? {},
      setDeadlineMs: deadlineMs,
      clock: this.#clock,
      maxStalenessMs: this.#maxStalenessMs,
      delegations: new DelegationRecorder(this.#backend),
      approvals: new ApprovalFlow({
        backend: this.#backend,
        clock: this.#clock,
        random: options.random ?? systemRandom,
        ttlMs: (options.approvalTtl ?? 3600) * 1000,
      }),
    });
    this.#openCalls = new OpenCalls(options.maxOpenCalls ?? 10_000);
  }

  /** @internal */
  async start(): Promise<void> {
    this.#watch = await this.#backend.watch(this.#observed.sink);
    this.#view.attach(this.#watch);
  }

  /** The guard's clock (epoch ms): adapters that run a tool themselves time it with this for complete(). */
  now(): number {
    return this.#clock();
  }

  /** Builds a call from a session for this guard's audience, with a fresh proof. */
  callFrom(session: Session, input: CallInput): Call {
    return session.call(this.audience, input);
  }

  /**
   * Decides a call and records the decision. Never throws for a bad or hostile
   * call: it denies. Traced as a `writ.authorize` span under the active span,
   * when OpenTelemetry is installed.
   */
  authorize(call: Call): Promise<Decision> {
    return traceAuthorize(call?.adapter, async () => {
      const { context, decision } = await this.#pipeline.evaluate(call, false);
      if (context.alreadyRecorded) return decision;
      const recorded =
        decision.effect === "allow" && context.charges !== undefined
          ? await this.#budgets.reserveAndRecord(context, decision, context.charges, this.#ledger)
          : await this.#ledger.recordDecision(context, decision);
      this.#openCalls.open(recorded, call.writ, context.started);
      return recorded;
    });
  }

  /**
   * Decides a call ahead of running it, for frameworks that ask whether a
   * tool needs a human approval before they run it (the AI SDK's
   * `needsApproval`). An allow or a deny is not recorded: the authorize() or
   * run() that follows records it, so a call leaves one decision row. An
   * `approval_required` opens the approval request (or finds the pending one
   * when a resumed run asks again) and is recorded once, as authorize() does.
   */
  async preflight(call: Call): Promise<Decision> {
    const { context, decision } = await this.#pipeline.evaluate(call, true);
    return decision.effect === "approval_required" && !context.alreadyRecorded
      ? this.#ledger.recordDecision(context, decision)
      : decision;
  }

  /**
   * Authorizes, then runs `execute` only on allow, and records its outcome.
   * Tool errors are rethrown. An error `options.suspends` recognizes pauses
   * the tool rather than failing it (a framework's interrupt: the tool runs
   * again when the run resumes): it is rethrown with no outcome recorded. An
   * output `options.failed` recognizes is recorded as a failed outcome.
   */
  async run<T>(
    call: Call,
    execute: (decision: AllowDecision) => T | Promise<T>,
    options: Pick<RunAllowedOptions<T>, "suspends" | "failed"> = {},
  ): Promise<GuardedRun<T>> {
    const decision = await this.authorize(call);
    if (decision.effect !== "allow") return { decision };
    return { decision, output: await runAllowed(this, decision, call, execute, options) };
  }

  /**
   * Records how an allowed call ended, for adapters that run the tool
   * themselves (e.g. streaming tools). Never throws: a failure is reported to
   * onLedgerError, since the tool already ran. Resolves once the outcome row
   * is handed to the backend, which may commit it with a later decision
   * (group commit): a crash can lose an outcome, never a decision, and
   * close() waits until every outcome is committed.
   */
  async complete(
    decision: AllowDecision,
    outcome: ToolOutcome,
    call?: Call,
    started?: number,
  ): Promise<void> {
    // The call is over: from here on it gets nothing that needs a running call (checkCall).
    this.#openCalls.close(decision);
    const released =
      !outcome.ok && !this.#countFailedCalls && (await this.#budgets.release(decision));
    await this.#ledger.recordOutcome(decision, outcome, call, started, released);
  }

  /**
   * Gives an allowed call's budget reservation back, for a tool a framework
   * paused before it finished (an interrupt): the call is decided again, and
   * reserves again, when the run resumes. Never throws.
   */
  async releaseBudgets(decision: AllowDecision): Promise<void> {
    await this.#budgets.release(decision);
  }

  /**
   * Approves or rejects a pending approval request and records who decided:
   * the backend stores the decision and its ledger row together, so no
   * approval takes effect unrecorded.
   */
  decideApproval(
    id: string,
    decision: { readonly approved: boolean; readonly by: string; readonly reason?: string },
  ): Promise<Approval> {
    return this.#backend.decideApproval(id, { ...decision, at: this.#clock() });
  }

  /**
   * Whether the writ could ever be allowed `action` (ignoring arguments): for
   * hiding tools a session can never use. Records nothing.
   */
  canUse(writ: string, action: string): boolean {
    try {
      const verified = this.#verifyLive(writ);
      return authorityLayers(verified, this.#view).every((layer) => layer.grants.mayPermit(action));
    } catch {
      return false;
    }
  }

  /**
   * Whether a writ is valid right now (signatures, chain, time, live state),
   * without a call or a proof: for transports that authenticate a caller
   * before any tool runs (an HTTP gateway answering 401). Records nothing;
   * a tool call still needs authorize().
   */
  checkWrit(writ: string): WritCheck {
    try {
      const verified = this.#verifyLive(writ);
      return {
        valid: true,
        user: verified.user,
        agent: verified.leaf.claims.aud,
        chain: verified.agents,
        ...(verified.tenant === undefined ? {} : { tenant: verified.tenant }),
      };
    } catch (error) {
      // Fail closed: whatever went wrong, the writ is not accepted.
      const failure = failClosed(error);
      return { valid: false, code: failure.code, message: failure.message };
    }
  }

  /**
   * Whether `decision` is an allow this guard gave for a call that is still
   * running (its outcome not yet recorded), no older than `maxAgeMs`, whose
   * writ still passes live state now: nothing in its chain revoked, the user
   * and agents still registered, and the user's current permissions and every
   * agent's current policy still covering its action. For what a call may
   * only get while it runs, such as a user's provider token. Records nothing.
   */
  checkCall(decision: AllowDecision, options: { readonly maxAgeMs?: number } = {}): CallCheck {
    const maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
    if (!(maxAgeMs > 0)) throw new TypeError("checkCall's maxAgeMs must be a positive number.");
    return this.#openCalls.check(decision, maxAgeMs, this.#clock(), (writ) => {
      const verified = this.#verifyLive(writ);
      return { verified, layers: authorityLayers(verified, this.#view) };
    });
  }

  /** Stops the live feed and waits until every outcome handed to the backend is committed. */
  async close(): Promise<void> {
    this.#observed.stop();
    await this.#watch?.close();
    await this.#ledger.settled();
  }

  #verifyLive(writ: string): VerifiedWrit {
    const now = this.#clock();
    const verified = this.#verifier.verify(writ, now);
    assertFresh(this.#view, now, this.#maxStalenessMs);
    checkLiveState(this.#view, verified);
    return verified;
  }
}

/** Creates a guard and starts its live feed; resolves once the first snapshot is in. */
export async function createGuard(options: GuardOptions): Promise<Guard> {
  const guard = new Guard(options);
  await guard.start();
  return guard;
}
