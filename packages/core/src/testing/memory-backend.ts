import {
  type Approval,
  type ApprovalBinding,
  type ApprovalConsumption,
  type ApprovalDecisionInput,
  type ApprovalRequest,
  applyApprovalDecision,
  spendApproval,
} from "../approval.js";
import type { DelegationRecord } from "../backend/backend.js";
import {
  type BudgetReservationRequest,
  type BudgetReservationResult,
  type BudgetUsage,
  budgetWindowStart,
} from "../backend/budget-reservation.js";
import type { BudgetUsageQuery } from "../backend/store-admin.js";
import { type Clock, type RandomSource, systemClock, systemRandom } from "../clock.js";
import { uuidV7 } from "../encoding/uuid-v7.js";
import { WritError } from "../errors.js";
import type { Grant } from "../grants/grant.js";
import { toGrants } from "../grants/to-grants.js";
import { type AgentReference, assertPrincipalId } from "../keys/agent-identity.js";
import { approvalEntry } from "../ledger/approval-entry.js";
import { delegationEntry } from "../ledger/delegation-entry.js";
import type { LedgerAppend, LedgerEntry, LedgerRecord } from "../ledger/ledger-record.js";
import { revocationEntry } from "../ledger/revocation-entry.js";
import type {
  AgentState,
  LiveChange,
  LiveSink,
  LiveWatch,
  Revocation,
  RevocationKind,
  UserState,
} from "../live/live-state.js";
import { LiveStateMirror } from "../live/live-state-mirror.js";
import { assertSharedHasNoTenant } from "../live/serves-tenant.js";
import { delegationConflict } from "../writ/delegation-conflict.js";
import { MemoryLedgerChain } from "./memory-ledger-chain.js";
import type { TestBackend } from "./test-backend.js";

export interface MemoryBackendOptions {
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** This writer's ledger chain id. Default "memory". */
  readonly chainId?: string;
}

type ChangeBody = LiveChange extends infer C
  ? C extends LiveChange
    ? Omit<C, "seq">
    : never
  : never;

/**
 * A complete in-memory Backend: directory, revocations with sequence numbers,
 * a hash-chained ledger with payloads, approvals and a synchronous live feed.
 * For unit tests and examples; state is lost when the process ends. Like a
 * store, once closed it takes no more ledger rows.
 */
export class MemoryBackend implements TestBackend {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #live = new LiveStateMirror();
  readonly #sinks = new Set<LiveSink>();
  readonly #ledger: MemoryLedgerChain;
  readonly #payloads = new Map<string, unknown>();
  readonly #delegations = new Map<string, DelegationRecord>();
  readonly #approvals = new Map<string, Approval>();
  /** Budget counters by key and window start. */
  readonly #budgets = new Map<string, BudgetUsage>();
  /** What each reservation holds, until released. */
  readonly #reservations = new Map<
    string,
    {
      readonly callId: string;
      readonly holds: readonly { counter: string; amount: number }[];
      released: boolean;
    }
  >();
  #closed = false;

  constructor(options: MemoryBackendOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#ledger = new MemoryLedgerChain(options.chainId ?? "memory");
    this.#live.reset({ seq: 0, revocations: [], users: [], agents: [] });
  }

  // ── Directory ──────────────────────────────────────────────────────────

  /** Creates or replaces a user with their current permissions. */
  putUser(user: {
    readonly id: string;
    readonly tenant?: string;
    readonly permissions: readonly Grant[] | string;
  }): void {
    assertPrincipalId(user.id, "user");
    const state: UserState = {
      id: user.id,
      permissions: toGrants(user.permissions),
      ...(user.tenant ? { tenant: user.tenant } : {}),
    };
    this.#publish({ type: "user", user: state });
  }

  removeUser(id: string): void {
    if (this.#live.user(id)) this.#publish({ type: "user_removed", id });
  }

  /** Creates or replaces an agent with its policy and registered keys (thumbprints or agent references). */
  putAgent(agent: {
    readonly id: string;
    readonly tenant?: string;
    readonly shared?: boolean;
    readonly policy: readonly Grant[] | string;
    readonly keys: readonly (string | AgentReference)[];
  }): void {
    assertPrincipalId(agent.id, "agent");
    assertSharedHasNoTenant(agent);
    const state: AgentState = {
      id: agent.id,
      policy: toGrants(agent.policy),
      keys: agent.keys.map((key) => (typeof key === "string" ? key : key.thumbprint)),
      ...(agent.tenant ? { tenant: agent.tenant } : {}),
      ...(agent.shared ? { shared: true } : {}),
    };
    this.#publish({ type: "agent", agent: state });
  }

  removeAgent(id: string): void {
    if (this.#live.agent(id)) this.#publish({ type: "agent_removed", id });
  }

  user(id: string): UserState | undefined {
    return this.#live.user(id);
  }

  agent(id: string): AgentState | undefined {
    return this.#live.agent(id);
  }

  /**
   * Revokes a hop, agent, user, key or issuer key; enforced by every watching
   * guard at once. Revoking again returns the first revocation.
   */
  async revoke(kind: RevocationKind, id: string, reason?: string): Promise<Revocation> {
    const existing = this.#live.revocation(kind, id);
    if (existing) return existing;
    const revocation: Revocation = {
      kind,
      id,
      seq: this.#live.seq + 1,
      at: this.#clock(),
      ...(reason ? { reason } : {}),
    };
    this.#publish({ type: "revocation", revocation });
    this.#appendRow(revocationEntry(revocation));
    return revocation;
  }

  // ── Inspection ─────────────────────────────────────────────────────────

  get records(): readonly LedgerRecord[] {
    return this.#ledger.rows;
  }

  async ledger(): Promise<readonly LedgerRecord[]> {
    return this.#ledger.rows;
  }

  payload(hash: string): unknown {
    return this.#payloads.get(hash);
  }

  get delegations(): ReadonlyMap<string, DelegationRecord> {
    return this.#delegations;
  }

  /** The budget counters of the windows open now, as a store's budgetUsage() gives them. */
  budgetUsage(query: BudgetUsageQuery = {}): BudgetUsage[] {
    const now = this.#clock();
    return [...this.#budgets.values()].filter(
      (usage) =>
        usage.resetsAt > now &&
        (query.subject === undefined || usage.subject === query.subject) &&
        (query.scope === undefined || usage.scope === query.scope),
    );
  }

  // ── Backend ────────────────────────────────────────────────────────────

  async watch(sink: LiveSink): Promise<LiveWatch> {
    this.#sinks.add(sink);
    sink.snapshot(this.#live.snapshot());
    return {
      synchronous: true,
      resync: () => sink.snapshot(this.#live.snapshot()),
      close: async () => {
        this.#sinks.delete(sink);
      },
    };
  }

  async append(appends: readonly LedgerAppend[]): Promise<readonly LedgerRecord[]> {
    this.#assertOpen();
    return appends.map(({ entry, payloads }) => {
      for (const payload of payloads ?? [])
        this.#payloads.set(payload.hash, structuredClone(payload.body));
      return this.#appendRow(entry);
    });
  }

  async recordDelegations(records: readonly DelegationRecord[]): Promise<void> {
    this.#assertOpen();
    const batch = new Map<string, DelegationRecord>();
    const held = (jti: string | null) =>
      jti === null ? undefined : (this.#delegations.get(jti) ?? batch.get(jti));
    for (const record of records) {
      const conflict = delegationConflict(record, held(record.jti), held(record.parentJti));
      if (conflict) throw conflict;
      batch.set(record.jti, record);
    }
    for (const record of batch.values()) {
      if (this.#delegations.has(record.jti)) continue;
      this.#delegations.set(record.jti, record);
      this.#appendRow(delegationEntry(record, this.#clock()));
    }
  }

  async requestApproval(
    request: ApprovalRequest,
  ): Promise<{ approval: Approval; created: boolean }> {
    for (const approval of this.#approvals.values()) {
      if (
        approval.callId === request.callId &&
        spendApproval(approval, request, request.requestedAt) !== "mismatch"
      ) {
        return { approval, created: false };
      }
    }
    const approval: Approval = { ...request, status: "pending" };
    this.#approvals.set(approval.id, approval);
    return { approval, created: true };
  }

  async decideApproval(id: string, decision: ApprovalDecisionInput): Promise<Approval> {
    this.#assertOpen();
    const approval = applyApprovalDecision(this.#approvals.get(id), id, decision);
    this.#approvals.set(id, approval);
    this.#appendRow(approvalEntry(approval, decision));
    return approval;
  }

  async consumeApproval(
    id: string,
    binding: ApprovalBinding,
    at: number,
  ): Promise<ApprovalConsumption> {
    const approval = this.#approvals.get(id);
    const result = spendApproval(approval, binding, at);
    if (result === "consumed" && approval)
      this.#approvals.set(id, { ...approval, status: "consumed" });
    return result;
  }

  async getApproval(id: string): Promise<Approval | undefined> {
    return this.#approvals.get(id);
  }

  async reserveBudgets(request: BudgetReservationRequest): Promise<BudgetReservationResult> {
    this.#assertOpen();
    if (this.#reservations.has(request.id)) return { reserved: true };
    const now = this.#clock();
    const pending = new Map<string, BudgetUsage>();
    const holds: { counter: string; amount: number }[] = [];
    for (const [index, charge] of request.charges.entries()) {
      const windowStart = budgetWindowStart(now, charge.windowMs);
      const counter = `${charge.key}@${windowStart}`;
      const used = (pending.get(counter) ?? this.#budgets.get(counter))?.used ?? 0;
      const resetsAt = windowStart + charge.windowMs;
      if (used + charge.amount > charge.max) {
        return {
          reserved: false,
          charge: index,
          remaining: Math.max(0, charge.max - used),
          resetsAt,
        };
      }
      const { key, scope, subject, budget, max } = charge;
      pending.set(counter, {
        key,
        scope,
        subject,
        budget,
        max,
        used: used + charge.amount,
        windowStart,
        resetsAt,
      });
      holds.push({ counter, amount: charge.amount });
    }
    for (const [counter, usage] of pending) this.#budgets.set(counter, usage);
    this.#reservations.set(request.id, { callId: request.callId, holds, released: false });
    return { reserved: true };
  }

  async releaseBudgets(id: string, callId: string): Promise<void> {
    const reservation = this.#reservations.get(id);
    if (!reservation || reservation.released || reservation.callId !== callId) return;
    reservation.released = true;
    for (const { counter, amount } of reservation.holds) {
      const usage = this.#budgets.get(counter);
      if (usage) this.#budgets.set(counter, { ...usage, used: Math.max(0, usage.used - amount) });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sinks.clear();
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new WritError(
        "ledger.unavailable",
        "This backend is closed; the ledger takes no more rows.",
      );
    }
  }

  #appendRow(entry: LedgerEntry): LedgerRecord {
    return this.#ledger.append(entry, uuidV7(this.#clock, this.#random));
  }

  #publish(body: ChangeBody): void {
    const change = { ...body, seq: this.#live.seq + 1 } as LiveChange;
    this.#live.apply(change);
    for (const sink of this.#sinks) sink.change(change);
  }
}
