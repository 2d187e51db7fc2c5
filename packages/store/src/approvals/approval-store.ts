import type { Approval, ApprovalStatus } from "@writ/core";
import type { ApprovalQuery, Page } from "@writ/core/backend";
import {
  type ApprovalBinding,
  type ApprovalConsumption,
  type ApprovalDecisionInput,
  type ApprovalRequest,
  applyApprovalDecision,
  spendApproval,
} from "@writ/core/backend";
import { assertOptionalId } from "../directory/assert-id.js";
import { decodeCursor, pageLimit, pageOf } from "../pagination/page.js";
import { integer, json, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { SqlExecutor, SqlRow, SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

const COLUMNS =
  "id, call_id, action, args_hash, leaf_hash, tool, user_id, agent_id, tenant_id, chain_json, requested_at, expires_at, status, decided_by, decided_at, reason";

const STATUSES: readonly ApprovalStatus[] = [
  "pending",
  "approved",
  "rejected",
  "consumed",
  "expired",
];

/** Approval requests and their single-use state machine (core's spendApproval), run atomically in the database. */
export class ApprovalStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  request(request: ApprovalRequest): Promise<{ approval: Approval; created: boolean }> {
    const { tables, driver } = this.#ctx;
    return driver.transaction(async (tx) => {
      await this.#lockCall(tx, request.callId);
      // Whatever its state: a resumed call must meet its request, never get a fresh one.
      const opened = await tx.all(
        `SELECT ${COLUMNS} FROM ${tables.approvals} WHERE call_id = ? ORDER BY requested_at, id`,
        [request.callId],
      );
      for (const row of opened) {
        const approval = approvalOf(row);
        if (spendApproval(approval, request, request.requestedAt) !== "mismatch")
          return { approval, created: false };
      }
      const approval: Approval = { ...request, status: "pending" };
      await tx.run(
        `INSERT INTO ${tables.approvals} (${COLUMNS}) VALUES (${COLUMNS.split(",")
          .map(() => "?")
          .join(", ")})`,
        [
          approval.id,
          approval.callId,
          approval.action,
          approval.argsHash,
          approval.leafHash,
          approval.tool,
          approval.user,
          approval.agent,
          approval.tenant ?? null,
          JSON.stringify(approval.chain),
          approval.requestedAt,
          approval.expiresAt,
          approval.status,
          null,
          null,
          null,
        ],
      );
      return { approval, created: true };
    });
  }

  /** Decides inside the caller's transaction, so the decision commits with its ledger row. */
  async decideIn(
    tx: SqlTransaction,
    id: string,
    decision: ApprovalDecisionInput,
  ): Promise<Approval> {
    const decided = applyApprovalDecision(await this.#get(tx, id), id, decision);
    const changed = await tx.run(
      `UPDATE ${this.#ctx.tables.approvals} SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending'`,
      [
        decided.status,
        decided.decidedBy ?? null,
        decided.decidedAt ?? null,
        decided.reason ?? null,
        id,
      ],
    );
    // Decided concurrently elsewhere: report it as core does for a decided request.
    if (changed === 0) return applyApprovalDecision(await this.#get(tx, id), id, decision);
    return decided;
  }

  async consume(id: string, binding: ApprovalBinding, at: number): Promise<ApprovalConsumption> {
    const approval = await this.#get(this.#ctx.driver, id);
    const result = spendApproval(approval, binding, at);
    if (result !== "consumed") return result;
    // Only one caller can move it from approved to consumed; a loser sees it already consumed.
    const changed = await this.#ctx.driver.run(
      `UPDATE ${this.#ctx.tables.approvals} SET status = 'consumed' WHERE id = ? AND status = 'approved'`,
      [id],
    );
    return changed === 1
      ? "consumed"
      : spendApproval(await this.#get(this.#ctx.driver, id), binding, at);
  }

  get(id: string): Promise<Approval | undefined> {
    return this.#get(this.#ctx.driver, id);
  }

  async list(query: ApprovalQuery = {}): Promise<Page<Approval>> {
    const status = query.status ?? "pending";
    if (!STATUSES.includes(status))
      throw new TypeError(`Unknown approval status: use one of ${STATUSES.join(", ")}.`);
    const limit = pageLimit(query.limit);
    assertOptionalId(query.tenant, "tenant");
    const where = ["status = ?"];
    const params: (string | number)[] = [status === "expired" ? "pending" : status];
    if (query.tenant !== undefined) {
      where.push("tenant_id = ?");
      params.push(query.tenant);
    }
    // Expiry is decided by time, not by a sweeper: a pending request past its expiry is expired.
    if (status === "pending" || status === "expired") {
      where.push(status === "pending" ? "expires_at >= ?" : "expires_at < ?");
      params.push(this.#ctx.clock());
    }
    if (query.user !== undefined) {
      where.push("user_id = ?");
      params.push(query.user);
    }
    if (query.cursor !== undefined) {
      const [requestedAt, id] = decodeCursor(query.cursor, ["number", "string"]);
      where.push("(requested_at > ? OR (requested_at = ? AND id > ?))");
      params.push(requestedAt, requestedAt, id);
    }
    const rows = await this.#ctx.driver.all(
      `SELECT ${COLUMNS} FROM ${this.#ctx.tables.approvals} WHERE ${where.join(" AND ")} ORDER BY requested_at, id LIMIT ?`,
      [...params, limit + 1],
    );
    const approvals = rows.map((row) => {
      const approval = approvalOf(row);
      return status === "expired" ? { ...approval, status: "expired" as const } : approval;
    });
    return pageOf(approvals, limit, (approval) => [approval.requestedAt, approval.id]);
  }

  async #get(db: SqlExecutor, id: string): Promise<Approval | undefined> {
    const [row] = await db.all(
      `SELECT ${COLUMNS} FROM ${this.#ctx.tables.approvals} WHERE id = ?`,
      [id],
    );
    return row ? approvalOf(row) : undefined;
  }

  /** Serializes requests for one call id across processes (SQLite transactions are already serial). */
  async #lockCall(tx: SqlTransaction, callId: string): Promise<void> {
    if (this.#ctx.driver.dialect === "postgres") {
      await tx.all("SELECT pg_advisory_xact_lock(hashtext(?))", [`writ:approval:${callId}`]);
    }
  }
}

function approvalOf(row: SqlRow): Approval {
  const tenant = optionalText(row, "tenant_id");
  const decidedBy = optionalText(row, "decided_by");
  const decidedAt = optionalInteger(row, "decided_at");
  const reason = optionalText(row, "reason");
  return {
    id: text(row, "id"),
    callId: text(row, "call_id"),
    action: text(row, "action"),
    argsHash: text(row, "args_hash"),
    leafHash: text(row, "leaf_hash"),
    tool: text(row, "tool"),
    user: text(row, "user_id"),
    agent: text(row, "agent_id"),
    ...(tenant === null ? {} : { tenant }),
    chain: json(row, "chain_json") as string[],
    requestedAt: integer(row, "requested_at"),
    expiresAt: integer(row, "expires_at"),
    status: text(row, "status") as ApprovalStatus,
    ...(decidedBy === null ? {} : { decidedBy }),
    ...(decidedAt === null ? {} : { decidedAt }),
    ...(reason === null ? {} : { reason }),
  };
}
