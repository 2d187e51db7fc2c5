import { type Approval, type ApprovalBinding, spendApproval } from "../approval.js";
import type { Backend } from "../backend.js";
import { BoundedCache } from "../bounded-cache.js";
import { type Clock, type RandomSource, systemClock, systemRandom } from "../clock.js";
import { canonicalJson } from "../encoding/canonical-json.js";
import { sha256Hex } from "../encoding/sha256.js";
import { uuidV7 } from "../encoding/uuid-v7.js";
import { WritError, type WritErrorCode, type WritErrorDetails } from "../errors.js";
import { isAction } from "../grants/action-pattern.js";
import type { IssuerKeys } from "../keys/issuer-keys.js";
import { approvalEntry } from "../ledger/approval-entry.js";
import type { LedgerEntry, LedgerPayload } from "../ledger/ledger-record.js";
import type { LiveWatch } from "../live/live-state.js";
import { LiveView } from "../live/live-view.js";
import { argumentsHash } from "../proof/arguments-hash.js";
import { ProofVerifier } from "../proof/verify-proof.js";
import type { Session } from "../session.js";
import { delegationRecords } from "../writ/delegation-records.js";
import { type VerifiedWrit, WritVerifier } from "../writ/verify-writ.js";
import { withDeadline } from "./backend-deadline.js";
import type { Call, CallInput } from "./call.js";
import { checkLiveState } from "./check-live-state.js";
import type {
  AllowDecision,
  ApprovalRequiredDecision,
  Decision,
  DecisionCode,
  DenyDecision,
} from "./decision.js";
import { describeDecision } from "./describe-decision.js";
import { authorityLayers, evaluateAuthority, setQueriesOf } from "./evaluate-authority.js";
import { resolveSets, type SetResolver } from "./set-resolver.js";

export interface GuardOptions {
  /** The store and live state behind the guard. */
  readonly backend: Backend;
  /** The pinned issuer whose keys may sign root hops. */
  readonly issuer: IssuerKeys;
  /** This guard's audience: proofs must name it (e.g. `urn:writ:guard:support`, or a server URL). */
  readonly audience: string;
  /** Resolvers for named sets (`inSet`). A set without a resolver never matches. */
  readonly sets?: Readonly<Record<string, SetResolver>>;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** How old the live view may be before every call is refused, in ms. Default 2000. */
  readonly maxStalenessMs?: number;
  /** How long a decision waits on the backend (ledger, approvals) before refusing, in ms. Default 5000. */
  readonly backendDeadlineMs?: number;
  /** Clock skew tolerated on writ and proof times, in seconds. Default 60. */
  readonly clockSkew?: number;
  /** How long a proof is accepted after it is signed, in seconds. Default 60. */
  readonly proofLifetime?: number;
  /** Proof ids remembered against replay. Default 500,000. */
  readonly replayCacheSize?: number;
  /** Verified hops remembered. Default 10,000. */
  readonly hopCacheSize?: number;
  /** How long an approval request stays open, in seconds. Default 3600. */
  readonly approvalTtl?: number;
  /**
   * Allowed calls remembered until their outcome is recorded, for checkCall()
   * (the credential broker hands provider tokens only to such calls). Beyond
   * this many the oldest are forgotten, and then count as finished. Default 10,000.
   */
  readonly maxOpenCalls?: number;
  /** Rewrites inputs and outputs before they are stored (the hashes always cover the real values). */
  readonly redact?: (
    payload: unknown,
    context: { readonly kind: "input" | "output"; readonly call: Call },
  ) => unknown;
  /** Told when an outcome could not be recorded after a tool ran. Default: a process warning. */
  readonly onLedgerError?: (error: unknown) => void;
}

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
 * The answer of guard.checkCall(): an allowed call still running, with who it
 * runs for, or why it no longer counts as one.
 */
export type CallCheck =
  | {
      readonly valid: true;
      readonly callId: string;
      readonly action: string;
      readonly tool: string;
      readonly user: string;
      readonly tenant?: string;
      /** The leaf agent. */
      readonly agent: string;
      /** Agent ids root→leaf. */
      readonly chain: readonly string[];
      /** Hop jtis root→leaf. */
      readonly hops: readonly string[];
      /** When the guard allowed it (epoch ms, the guard's clock). */
      readonly decidedAt: number;
    }
  | { readonly valid: false; readonly code: WritErrorCode; readonly message: string };

/** An allowed call whose outcome is not recorded yet, as checkCall() finds it. */
interface OpenCall {
  readonly decision: AllowDecision;
  readonly writ: string;
  readonly decidedAt: number;
}

/** How a tool run ended, for guard.complete(). */
export type ToolOutcome =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: unknown };

/** Facts gathered while deciding, carried into the decision and its ledger row. */
interface DecisionContext {
  readonly call: Call;
  readonly started: number;
  verified?: VerifiedWrit;
  argsHash?: string;
  /** A resumed run asked again for an approval already requested and recorded. */
  alreadyRecorded?: boolean;
  /** Deciding ahead of a run (preflight): nothing may be spent. */
  readonly preflight?: boolean;
}

type DecisionFactsInput = Partial<
  Pick<DenyDecision, "hop" | "decidedBy" | "grant" | "path" | "operator">
> & {
  readonly approvalId?: string;
};

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
  readonly #proofs: ProofVerifier;
  readonly #sets: Readonly<Record<string, SetResolver>>;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #maxStalenessMs: number;
  readonly #approvalTtlMs: number;
  readonly #redact: NonNullable<GuardOptions["redact"]>;
  readonly #onLedgerError: (error: unknown) => void;
  readonly #recordedHops = new BoundedCache<string, true>(100_000);
  /** Allowed calls by the id of their decision's ledger row, until complete() records how they ended. */
  readonly #openCalls: BoundedCache<string, OpenCall>;
  #watch: LiveWatch | undefined;

  /** @internal use createGuard(), which also starts the live feed */
  constructor(options: GuardOptions) {
    if (typeof options.audience !== "string" || options.audience.length === 0) {
      throw new TypeError("createGuard needs an audience: the name proofs must be addressed to.");
    }
    this.audience = options.audience;
    this.#backend = withDeadline(options.backend, options.backendDeadlineMs ?? 5000);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#view = new LiveView(this.#clock);
    this.#verifier = new WritVerifier({
      issuer: options.issuer,
      ...(options.clockSkew === undefined ? {} : { clockSkew: options.clockSkew }),
      ...(options.hopCacheSize === undefined ? {} : { cacheSize: options.hopCacheSize }),
    });
    this.#proofs = new ProofVerifier({
      audience: options.audience,
      ...(options.proofLifetime === undefined ? {} : { lifetime: options.proofLifetime }),
      ...(options.clockSkew === undefined ? {} : { clockSkew: options.clockSkew }),
      ...(options.replayCacheSize === undefined
        ? {}
        : { replayCacheSize: options.replayCacheSize }),
    });
    this.#sets = options.sets ?? {};
    this.#maxStalenessMs = options.maxStalenessMs ?? 2000;
    this.#approvalTtlMs = (options.approvalTtl ?? 3600) * 1000;
    this.#openCalls = new BoundedCache(options.maxOpenCalls ?? 10_000);
    this.#redact = options.redact ?? ((payload) => payload);
    this.#onLedgerError =
      options.onLedgerError ??
      ((error) =>
        process.emitWarning(
          `Writ could not record a tool outcome: ${String(error)}`,
          "WritLedgerWarning",
        ));
  }

  /** @internal */
  async start(): Promise<void> {
    this.#watch = await this.#backend.watch(this.#view);
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

  /** Decides a call and records the decision. Never throws for a bad or hostile call: it denies. */
  async authorize(call: Call): Promise<Decision> {
    const { context, decision } = await this.#evaluate(call, false);
    if (context.alreadyRecorded) return decision;
    const recorded = await this.#record(context, decision);
    if (recorded.effect === "allow" && recorded.eventId !== undefined) {
      this.#openCalls.set(recorded.eventId, {
        decision: recorded,
        writ: call.writ,
        decidedAt: context.started,
      });
    }
    return recorded;
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
    const { context, decision } = await this.#evaluate(call, true);
    return decision.effect === "approval_required" && !context.alreadyRecorded
      ? this.#record(context, decision)
      : decision;
  }

  /**
   * Authorizes, then runs `execute` only on allow, and records its outcome.
   * Tool errors are rethrown. An error `options.suspends` recognizes pauses
   * the tool rather than failing it (a framework's interrupt: the tool runs
   * again when the run resumes): it is rethrown with no outcome recorded.
   */
  async run<T>(
    call: Call,
    execute: (decision: AllowDecision) => T | Promise<T>,
    options: { readonly suspends?: (error: unknown) => boolean } = {},
  ): Promise<GuardedRun<T>> {
    const decision = await this.authorize(call);
    if (decision.effect !== "allow") return { decision };
    const started = this.#clock();
    let output: T;
    try {
      output = await execute(decision);
    } catch (error) {
      if (options.suspends?.(error) !== true)
        await this.complete(decision, { ok: false, error }, call, started);
      throw error;
    }
    await this.complete(decision, { ok: true, output }, call, started);
    return { decision, output };
  }

  /**
   * Records how an allowed call ended, for adapters that run the tool
   * themselves (e.g. streaming tools). Never throws: a failure is reported to
   * onLedgerError, since the tool already ran.
   */
  async complete(
    decision: AllowDecision,
    outcome: ToolOutcome,
    call?: Call,
    started?: number,
  ): Promise<void> {
    // The call is over: from here on it gets nothing that needs a running call (checkCall).
    if (decision.eventId !== undefined) this.#openCalls.delete(decision.eventId);
    const now = this.#clock();
    const outputHash = outcome.ok ? hashOutput(outcome.output) : undefined;
    const payloads: LedgerPayload[] =
      outcome.ok && outputHash && call
        ? [{ hash: outputHash, body: this.#redact(outcome.output, { kind: "output", call }) }]
        : [];
    try {
      await this.#backend.append([
        {
          entry: {
            ...decisionEntryFacts(decision, call?.adapter),
            kind: "outcome",
            time: now,
            outcome: outcome.ok ? "ok" : "error",
            error: outcome.ok ? undefined : errorSummary(outcome.error),
            durationMs: started === undefined ? undefined : now - started,
            outputHash,
          },
          payloads,
        },
      ]);
    } catch (error) {
      this.#onLedgerError(error);
    }
  }

  /** Approves or rejects a pending approval request and records who decided. */
  async decideApproval(
    id: string,
    decision: { readonly approved: boolean; readonly by: string; readonly reason?: string },
  ): Promise<Approval> {
    const at = this.#clock();
    const approval = await this.#backend.decideApproval(id, { ...decision, at });
    await this.#backend.append([{ entry: approvalEntry(approval, { ...decision, at }) }]);
    return approval;
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
      const failure = error instanceof WritError ? error : internalError(error);
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
    if (decision === null || typeof decision !== "object" || decision.effect !== "allow") {
      return {
        valid: false,
        code: "credential.outside_call",
        message: "Only a call the guard allowed qualifies; this decision did not allow it.",
      };
    }
    const open =
      typeof decision.eventId === "string" ? this.#openCalls.get(decision.eventId) : undefined;
    if (open === undefined || !sameCall(open.decision, decision)) {
      return {
        valid: false,
        code: "credential.outside_call",
        message:
          "This decision is not a running call of this guard: unknown to it, or its outcome is already recorded.",
      };
    }
    if (this.#clock() - open.decidedAt > maxAgeMs) {
      return {
        valid: false,
        code: "credential.call_expired",
        message: `The call was allowed more than ${maxAgeMs} ms ago; only a recent decision qualifies.`,
      };
    }
    try {
      const verified = this.#verifyLive(open.writ);
      const denial = liveDenial(authorityLayers(verified, this.#view), decision.action);
      if (denial) return { valid: false, ...denial };
      return {
        valid: true,
        callId: decision.callId,
        action: decision.action,
        tool: decision.tool,
        user: verified.user,
        agent: verified.leaf.claims.aud,
        chain: verified.agents,
        hops: verified.jtis,
        decidedAt: open.decidedAt,
        ...(verified.tenant === undefined ? {} : { tenant: verified.tenant }),
      };
    } catch (error) {
      // Fail closed: whatever went wrong, the call no longer qualifies.
      const failure = error instanceof WritError ? error : internalError(error);
      return { valid: false, code: failure.code, message: failure.message };
    }
  }

  async close(): Promise<void> {
    await this.#watch?.close();
  }

  async #evaluate(
    call: Call,
    preflight: boolean,
  ): Promise<{ context: DecisionContext; decision: Decision }> {
    assertCallShape(call);
    const context: DecisionContext = { call, started: this.#clock(), preflight };
    try {
      return { context, decision: await this.#decide(context) };
    } catch (error) {
      // Fail closed: whatever went wrong, the call does not run.
      const failure = error instanceof WritError ? error : internalError(error);
      return { context, decision: this.#deny(context, failure.code, failure.details) };
    }
  }

  #verifyLive(writ: string): VerifiedWrit {
    const now = this.#clock();
    const verified = this.#verifier.verify(writ, now);
    const freshness = this.#view.freshness(now, this.#maxStalenessMs);
    if (freshness !== "fresh") {
      throw new WritError(
        freshness === "stale" ? "live.stale" : "live.unavailable",
        "The guard's live view is not fresh; refusing until the backend's feed recovers.",
      );
    }
    checkLiveState(this.#view, verified);
    return verified;
  }

  async #decide(context: DecisionContext): Promise<Decision> {
    const { call, started: now } = context;
    const verified = this.#verifier.verify(call.writ, now);
    context.verified = verified;
    const argsHash = hashArguments(call.args);
    context.argsHash = argsHash;
    this.#proofs.verify(
      call.proof,
      {
        action: call.action,
        tool: call.tool,
        argsHash,
        leaf: verified.leaf,
        writ: call.writ,
        ...(call.http ? { http: call.http } : {}),
      },
      now,
    );
    const freshness = this.#view.freshness(now, this.#maxStalenessMs);
    if (freshness !== "fresh") {
      throw new WritError(
        freshness === "stale" ? "live.stale" : "live.unavailable",
        freshness === "stale"
          ? `The guard's live view is older than ${this.#maxStalenessMs} ms; refusing until the backend's feed catches up.`
          : "The guard has no usable live view (feed down or out of sequence); refusing until it recovers.",
      );
    }
    checkLiveState(this.#view, verified);
    await this.#recordNewHops(verified);
    const layers = authorityLayers(verified, this.#view);
    const queries = setQueriesOf(layers, call.action, call.args);
    const membership =
      queries.length === 0
        ? () => undefined
        : await resolveSets(this.#sets, queries, {
            user: verified.user,
            tenant: verified.tenant,
            agent: verified.leaf.claims.aud,
            action: call.action,
          });
    const verdict = evaluateAuthority(layers, call.action, call.args, membership);
    if (verdict.effect === "deny") {
      const { effect: _effect, code, ...where } = verdict;
      return this.#deny(context, code, where);
    }
    if (verdict.effect === "allow") return this.#decision(context, "allow", "granted");
    return this.#approve(context, verified, argsHash);
  }

  /**
   * A call some layer permits only with a human's approval. Approvals are
   * bound to (action, argument hash, leaf hop) and found by call id, so a
   * framework resuming the same call meets the same request in whatever state
   * it is: still pending (asked once, recorded once), approved (spent now,
   * once), or spent, rejected or expired (refused, so a replayed answer can
   * never release the call twice).
   */
  async #approve(
    context: DecisionContext,
    verified: VerifiedWrit,
    argsHash: string,
  ): Promise<Decision> {
    const { call, started: now } = context;
    const binding = { action: call.action, argsHash, leafHash: verified.leaf.hash };
    if (call.approvalId !== undefined)
      return this.#spendApproval(context, call.approvalId, binding);
    const { approval, created } = await this.#backend.requestApproval({
      ...binding,
      id: uuidV7(this.#clock, this.#random),
      callId: call.callId,
      tool: call.tool,
      user: verified.user,
      agent: verified.leaf.claims.aud,
      tenant: verified.tenant,
      chain: verified.agents,
      requestedAt: now,
      expiresAt: now + this.#approvalTtlMs,
    });
    if (!created && spendApproval(approval, binding, now) !== "pending") {
      return this.#spendApproval(context, approval.id, binding);
    }
    context.alreadyRecorded = !created;
    return this.#decision(context, "approval_required", "approval.required", {
      approvalId: approval.id,
    });
  }

  async #spendApproval(
    context: DecisionContext,
    approvalId: string,
    binding: ApprovalBinding,
  ): Promise<Decision> {
    // A preflight only looks: the run that follows spends the approval.
    const spent = context.preflight
      ? spendApproval(await this.#backend.getApproval(approvalId), binding, context.started)
      : await this.#backend.consumeApproval(approvalId, binding, context.started);
    if (spent === "consumed")
      return this.#decision(context, "allow", "approval.granted", { approvalId });
    if (spent === "pending")
      return this.#decision(context, "approval_required", "approval.required", { approvalId });
    const code: WritErrorCode =
      spent === "rejected"
        ? "approval.rejected"
        : spent === "already_consumed"
          ? "approval.consumed"
          : spent === "expired"
            ? "approval.expired"
            : "approval.invalid";
    return this.#deny(context, code, { approvalId });
  }

  #deny(context: DecisionContext, code: WritErrorCode, details: WritErrorDetails): DenyDecision {
    return this.#decision(context, "deny", code, {
      ...(typeof details.hop === "number" ? { hop: details.hop } : {}),
      ...(typeof details.agent === "string" ? { decidedBy: details.agent } : {}),
      ...(typeof details.grant === "number" ? { grant: details.grant } : {}),
      ...(typeof details.path === "string" ? { path: details.path } : {}),
      ...(typeof details.operator === "string" ? { operator: details.operator } : {}),
      ...(typeof details.approvalId === "string" ? { approvalId: details.approvalId } : {}),
    }) as DenyDecision;
  }

  #decision(
    context: DecisionContext,
    effect: Decision["effect"],
    code: DecisionCode,
    facts: DecisionFactsInput = {},
  ): Decision {
    const { call, verified } = context;
    const decidedBy =
      facts.decidedBy ?? (facts.hop === undefined ? undefined : verified?.agents[facts.hop]);
    return {
      effect,
      code,
      message: describeDecision({
        code,
        action: call.action,
        ...(facts.path ? { path: facts.path } : {}),
        ...(decidedBy ? { decidedBy } : {}),
      }),
      callId: call.callId,
      action: call.action,
      tool: call.tool,
      ...(verified
        ? {
            user: verified.user,
            agent: verified.leaf.claims.aud,
            chain: verified.agents,
            hops: verified.jtis,
            ...(verified.tenant === undefined ? {} : { tenant: verified.tenant }),
          }
        : {}),
      ...facts,
      ...(decidedBy ? { decidedBy } : {}),
    } as Decision;
  }

  async #record(context: DecisionContext, decision: Decision): Promise<Decision> {
    const { call } = context;
    const inputHash = context.argsHash === undefined ? undefined : hexOf(context.argsHash);
    const entry: LedgerEntry = {
      ...decisionEntryFacts(decision, call.adapter),
      kind: "decision",
      time: context.started,
      decision: decision.effect,
      reason: decision.code,
      durationMs: this.#clock() - context.started,
      inputHash,
      detail: decisionDetail(decision),
    };
    try {
      const [record] = await this.#backend.append([
        {
          entry,
          payloads: inputHash
            ? [{ hash: inputHash, body: this.#redact(call.args, { kind: "input", call }) }]
            : [],
        },
      ]);
      return { ...decision, ...(record ? { eventId: record.id } : {}) };
    } catch {
      // A refusal stays a refusal, with its own reason, even when it could not be recorded.
      if (decision.effect === "deny") return decision;
      // Fail closed: a decision that is not durably recorded never lets a tool run.
      const { eventId: _eventId, ...rest } = decision;
      const code = "ledger.unavailable";
      return {
        ...rest,
        effect: "deny",
        code,
        message: describeDecision({ code, action: call.action }),
      } as DenyDecision;
    }
  }

  async #recordNewHops(verified: VerifiedWrit): Promise<void> {
    const isNew = (jti: string) => this.#recordedHops.get(jti) === undefined;
    if (!verified.jtis.some(isNew)) return;
    const records = delegationRecords(verified).filter((record) => isNew(record.jti));
    try {
      await this.#backend.recordDelegations(records);
    } catch (error) {
      throw new WritError(
        "ledger.unavailable",
        "The delegation graph could not be recorded.",
        {},
        error,
      );
    }
    for (const record of records) this.#recordedHops.set(record.jti, true);
  }
}

/** Creates a guard and starts its live feed; resolves once the first snapshot is in. */
export async function createGuard(options: GuardOptions): Promise<Guard> {
  const guard = new Guard(options);
  await guard.start();
  return guard;
}

function assertCallShape(call: Call): void {
  if (call === null || typeof call !== "object")
    throw new TypeError("guard.authorize needs a call object.");
  if (!isAction(call.action)) {
    throw new TypeError(
      `Invalid action ${JSON.stringify(call.action)}: use a dotted name like "refunds.approve".`,
    );
  }
  if (typeof call.tool !== "string" || call.tool.length === 0)
    throw new TypeError("A call needs the tool's name.");
  if (typeof call.callId !== "string" || call.callId.length === 0)
    throw new TypeError("A call needs a call id.");
}

/** The same allowed call: a decision with a known event id but other facts is not the one recorded. */
function sameCall(recorded: AllowDecision, presented: AllowDecision): boolean {
  return (
    recorded.callId === presented.callId &&
    recorded.action === presented.action &&
    recorded.tool === presented.tool &&
    recorded.user === presented.user &&
    recorded.agent === presented.agent
  );
}

/**
 * Whether the user's current permissions and every chain agent's current
 * policy still reach `action` (the hops' own grants cannot change). Judged on
 * the action alone: the arguments were judged when the call was allowed.
 */
function liveDenial(
  layers: ReturnType<typeof authorityLayers>,
  action: string,
): { readonly code: WritErrorCode; readonly message: string } | undefined {
  for (const layer of layers) {
    if (layer.source === "hop" || layer.grants.mayPermit(action)) continue;
    return layer.source === "permissions"
      ? {
          code: "live.permission_denied",
          message: `The user no longer has permission for ${action}.`,
        }
      : {
          code: "live.policy_denied",
          message: `The policy of agent "${layer.agent}" no longer allows ${action}.`,
        };
  }
  return undefined;
}

function hashArguments(args: unknown): string {
  try {
    return argumentsHash(args);
  } catch (error) {
    throw new WritError(
      "proof.args_mismatch",
      "The call's arguments have no canonical JSON form (NaN, Infinity, cycles…).",
      {},
      error,
    );
  }
}

function decisionEntryFacts(
  decision: Decision,
  adapter: string | undefined,
): Omit<LedgerEntry, "kind" | "time"> {
  return {
    tenant: decision.tenant,
    callId: decision.callId,
    user: decision.user,
    agent: decision.agent,
    chain:
      decision.chain && decision.hops ? { agents: decision.chain, hops: decision.hops } : undefined,
    action: decision.action,
    tool: decision.tool,
    adapter,
  };
}

function decisionDetail(decision: Decision): Record<string, string | number> | undefined {
  const detail: Record<string, string | number> = {};
  if (decision.hop !== undefined) detail.hop = decision.hop;
  if (decision.decidedBy !== undefined) detail.decidedBy = decision.decidedBy;
  if (decision.grant !== undefined) detail.grant = decision.grant;
  if (decision.path !== undefined) detail.path = decision.path;
  if (decision.operator !== undefined) detail.operator = decision.operator;
  if (decision.approvalId !== undefined) detail.approvalId = decision.approvalId;
  return Object.keys(detail).length > 0 ? detail : undefined;
}

function hashOutput(output: unknown): string | undefined {
  try {
    return sha256Hex(canonicalJson(output ?? null));
  } catch {
    return undefined; // an output with no JSON form is recorded without a hash
  }
}

function hexOf(base64url: string): string {
  return Buffer.from(base64url, "base64url").toString("hex");
}

function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

function internalError(error: unknown): WritError {
  return new WritError(
    "guard.internal",
    "The guard failed while deciding; the call was refused.",
    {},
    error,
  );
}
