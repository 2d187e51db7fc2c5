import { integer, optionalText, text } from "../sql/row-values.js";
import type { StoreContext } from "../store-context.js";

/** What a person signed in to the console may do: read, also decide approvals, or administer. */
export type ConsoleRole = "viewer" | "approver" | "admin";

export const CONSOLE_ROLES: readonly ConsoleRole[] = ["viewer", "approver", "admin"];

/** A console sign-in, kept in the store so every server instance knows it. */
export interface ConsoleSession {
  /** Who signed in: a user id from an identity provider, or `key:<id>` for an API key. */
  readonly subject: string;
  /** The tenant it is confined to; absent: every tenant (an operator). */
  readonly tenant?: string;
  readonly role: ConsoleRole;
  /** The API key it was opened with: revoking the key ends the session. */
  readonly apiKeyId?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Console sessions by the hash of their cookie's secret (the secret itself
 * is never stored). An expired session is gone for every instance at once.
 */
export class ConsoleSessionStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async create(idHash: string, session: ConsoleSession): Promise<void> {
    const { driver, tables } = this.#ctx;
    await driver.run(`DELETE FROM ${tables.consoleSessions} WHERE expires_at < ?`, [
      session.createdAt,
    ]);
    await driver.run(
      `INSERT INTO ${tables.consoleSessions} (id_hash, subject, tenant_id, role, api_key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        idHash,
        session.subject,
        session.tenant ?? null,
        session.role,
        session.apiKeyId ?? null,
        session.createdAt,
        session.expiresAt,
      ],
    );
  }

  async get(idHash: string, now: number): Promise<ConsoleSession | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT subject, tenant_id, role, api_key_id, created_at, expires_at FROM ${this.#ctx.tables.consoleSessions} WHERE id_hash = ? AND expires_at > ?`,
      [idHash, now],
    );
    if (!row) return undefined;
    const tenant = optionalText(row, "tenant_id");
    const apiKeyId = optionalText(row, "api_key_id");
    return {
      subject: text(row, "subject"),
      ...(tenant === null ? {} : { tenant }),
      role: text(row, "role") as ConsoleRole,
      ...(apiKeyId === null ? {} : { apiKeyId }),
      createdAt: integer(row, "created_at"),
      expiresAt: integer(row, "expires_at"),
    };
  }

  async end(idHash: string): Promise<void> {
    await this.#ctx.driver.run(
      `DELETE FROM ${this.#ctx.tables.consoleSessions} WHERE id_hash = ?`,
      [idHash],
    );
  }
}
