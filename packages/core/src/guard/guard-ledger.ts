import type { Backend } from "../backend/backend.js";
import type { Clock } from "../clock.js";
import { canonicalJson } from "../encoding/canonical-json.js";
import { sha256Hex } from "../encoding/sha256.js";
import type {
  LedgerAppend,
  LedgerDetail,
  LedgerEntry,
  LedgerPayload,
  LedgerRecord,
} from "../ledger/ledger-record.js";
import type { Call } from "./call.js";
import type { AllowDecision, Decision, DenyDecision } from "./decision.js";
import type { DecisionContext } from "./decision-context.js";
import { describeDecision } from "./describe-decision.js";
import type { GuardOptions } from "./guard-options.js";
import { type PayloadKeeper, payloadKeeper } from "./payload-policy.js";

/** How a tool run ended, for guard.complete(). */
export type ToolOutcome =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * The guard's rows in the ledger: each decision before anything runs, and the
 * outcome of each allowed call after it ran. The rows hold the hashes and
 * sizes of inputs and outputs; the bodies go to the erasable payloads only
 * for the calls the payload policy opts in, redacted.
 */
export class GuardLedger {
  readonly #backend: Backend;
  readonly #clock: Clock;
  readonly #keep: PayloadKeeper;
  readonly #onLedgerError: (error: unknown) => void;
  /** Outcome rows handed to the backend and not yet committed: settled() waits for them. */
  readonly #outcomes = new Set<Promise<void>>();

  constructor(options: {
    readonly backend: Backend;
    readonly clock: Clock;
    readonly payloads?: GuardOptions["payloads"];
    readonly onLedgerError?: GuardOptions["onLedgerError"];
  }) {
    this.#backend = options.backend;
    this.#clock = options.clock;
    this.#keep = payloadKeeper(options.payloads);
    this.#onLedgerError =
      options.onLedgerError ??
      ((error) =>
        process.emitWarning(
          `Writ could not record a tool outcome: ${String(error)}`,
          "WritLedgerWarning",
        ));
  }

  /**
   * Records a decision; returns it with the id of its row. An allow or an
   * approval that cannot be recorded becomes a `ledger.unavailable` deny.
   */
  recordDecision(context: DecisionContext, decision: Decision): Promise<Decision> {
    return this.recordDecided(context, decision, async (toAppend) => {
      const [record] = await this.#backend.append([toAppend(decision)]);
      return { decision, record };
    });
  }

  /**
   * Records the decision `write` settles on: `write` appends the row
   * `toAppend` gives for it (with whatever must commit alongside, such as a
   * budget reservation) and resolves with the decision and its row. When
   * `write` fails, the decision it settled on (else `pending`) is refused as
   * recordDecision refuses it.
   */
  async recordDecided(
    context: DecisionContext,
    pending: Decision,
    write: (
      toAppend: (decision: Decision) => LedgerAppend,
    ) => Promise<{ readonly decision: Decision; readonly record: LedgerRecord | undefined }>,
  ): Promise<Decision> {
    let settled: Decision | undefined;
    try {
      const { decision, record } = await write((decision) => {
        settled = decision;
        return this.#decisionAppend(context, decision);
      });
      return { ...decision, ...(record ? { eventId: record.id } : {}) };
    } catch {
      const decision = settled ?? pending;
      // A refusal stays a refusal, with its own reason, even when it could not be recorded.
      if (decision.effect === "deny") return decision;
      // Fail closed: a decision that is not durably recorded never lets a tool run.
      const { eventId: _eventId, ...rest } = decision;
      const code = "ledger.unavailable";
      return {
        ...rest,
        effect: "deny",
        code,
        message: describeDecision({ code, action: context.call.action }),
      } as DenyDecision;
    }
  }

  /** A decision's row, with the call's input body where the payload policy keeps it. */
  #decisionAppend(context: DecisionContext, decision: Decision): LedgerAppend {
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
      detail: decisionDetail(decision, context.argsBytes),
    };
    const body =
      inputHash === undefined ? undefined : this.#keep(call.args, { kind: "input", call });
    return { entry, payloads: inputHash && body !== undefined ? [{ hash: inputHash, body }] : [] };
  }

  /**
   * Records how an allowed call ended. Never throws: the tool already ran, so
   * a failure goes to onLedgerError. The backend may group-commit the row
   * with a later decision (a crash can lose an outcome, never a decision).
   * On a backend that queues appends (an in-process store) this resolves
   * once the row is handed over, and settled() waits for its commit;
   * elsewhere it resolves once the row is committed.
   */
  async recordOutcome(
    decision: AllowDecision,
    outcome: ToolOutcome,
    call?: Call,
    started?: number,
    budgetReleased = false,
  ): Promise<void> {
    const now = this.#clock();
    const digest = outcome.ok ? digestOutput(outcome.output) : undefined;
    const body =
      digest && call && outcome.ok
        ? this.#keep(outcome.output, { kind: "output", call })
        : undefined;
    const payloads: LedgerPayload[] =
      digest && body !== undefined ? [{ hash: digest.hash, body }] : [];
    let written: Promise<void>;
    try {
      written = this.#backend
        .append(
          [
            {
              entry: {
                ...decisionEntryFacts(decision, call?.adapter),
                kind: "outcome",
                time: now,
                outcome: outcome.ok ? "ok" : "error",
                error: outcome.ok ? undefined : errorSummary(outcome.error),
                durationMs: started === undefined ? undefined : now - started,
                outputHash: digest?.hash,
                detail: outcomeDetail(digest, decision.budgetReservation, budgetReleased),
              },
              payloads,
            },
          ],
          NOT_DURABLE,
        )
        .then(
          () => undefined,
          (error: unknown) => this.#onLedgerError(error),
        );
    } catch (error) {
      this.#onLedgerError(error);
      return;
    }
    if (this.#backend.queuesAppends !== true) return written;
    this.#outcomes.add(written);
    void written.finally(() => this.#outcomes.delete(written));
  }

  /** Resolves once every outcome handed to the backend is committed (or reported as lost). */
  async settled(): Promise<void> {
    await Promise.all(this.#outcomes);
  }

  /** Reports a failure to record what happened after a call was decided (onLedgerError). */
  report(error: unknown): void {
    this.#onLedgerError(error);
  }
}

/** Outcomes need not reach the disk before the call returns: nothing waits on them. */
const NOT_DURABLE = { durable: false } as const;

/** An approval's argument hash (base64url, as bound) as the ledger's hex `inputHash`. */
function hexOf(base64url: string): string {
  return Buffer.from(base64url, "base64url").toString("hex");
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

function decisionDetail(
  decision: Decision,
  inputBytes: number | undefined,
): Record<string, string | number> | undefined {
  const detail: Record<string, string | number> = {};
  if (inputBytes !== undefined) detail.inputBytes = inputBytes;
  if (decision.hop !== undefined) detail.hop = decision.hop;
  if (decision.decidedBy !== undefined) detail.decidedBy = decision.decidedBy;
  if (decision.grant !== undefined) detail.grant = decision.grant;
  if (decision.path !== undefined) detail.path = decision.path;
  if (decision.operator !== undefined) detail.operator = decision.operator;
  if (decision.approvalId !== undefined) detail.approvalId = decision.approvalId;
  if (decision.effect === "allow" && decision.budgetReservation !== undefined)
    detail.budgetReservation = decision.budgetReservation;
  if (decision.budget !== undefined) {
    detail.budget = decision.budget.budget;
    detail.budgetScope = decision.budget.scope;
    detail.budgetSubject = decision.budget.subject;
    detail.budgetRemaining = decision.budget.remaining;
    detail.budgetResetsAt = decision.budget.resetsAt;
  }
  return Object.keys(detail).length > 0 ? detail : undefined;
}

function outcomeDetail(
  digest: { bytes: number } | undefined,
  budgetReservation: string | undefined,
  budgetReleased: boolean,
): LedgerDetail | undefined {
  const detail: Record<string, number | string | boolean> = {};
  if (digest !== undefined) detail.outputBytes = digest.bytes;
  if (budgetReservation !== undefined) {
    detail.budgetReservation = budgetReservation;
    detail.budgetReleased = budgetReleased;
  }
  return Object.keys(detail).length > 0 ? detail : undefined;
}

/** The output's hex SHA-256 and the size of its canonical JSON, from one canonicalisation. */
function digestOutput(output: unknown): { hash: string; bytes: number } | undefined {
  try {
    const canonical = canonicalJson(output ?? null);
    return { hash: sha256Hex(canonical), bytes: Buffer.byteLength(canonical) };
  } catch {
    return undefined; // an output with no JSON form is recorded without a hash
  }
}

function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
