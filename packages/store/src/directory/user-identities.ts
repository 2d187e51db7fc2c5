import { WritError } from "@writ/core";
import type { IdentityInput, LinkedIdentity } from "@writ/core/backend";
import { hasControlCharacter } from "@writ/core/backend";
import { integer, text } from "../sql/row-values.js";
import type { SqlExecutor } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

const MAX_ISSUER_LENGTH = 512;
const MAX_SUBJECT_LENGTH = 256;

/**
 * The identities at identity providers linked to users: one row per
 * (issuer, subject), naming its one user. The token exchange reads them; only
 * an admin (or a provider's explicit just-in-time provisioning) writes them.
 */
export class UserIdentities {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Links `identity` to `user`; store.conflict when it is linked to another user. Idempotent. */
  async link(db: SqlExecutor, user: string, identity: IdentityInput): Promise<LinkedIdentity> {
    const { issuer, subject } = identity;
    await db.run(
      `INSERT INTO ${this.#ctx.tables.userIdentities} (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING`,
      [issuer, subject, user, this.#ctx.clock()],
    );
    const [row] = await db.all(
      `SELECT user_id, created_at FROM ${this.#ctx.tables.userIdentities} WHERE issuer = ? AND subject = ?`,
      [issuer, subject],
    );
    if (!row || text(row, "user_id") !== user) {
      throw new WritError(
        "store.conflict",
        "This identity is linked to another user; unlink it there first.",
        { name: "identity" },
      );
    }
    return { issuer, subject, linkedAt: integer(row, "created_at") };
  }

  async unlink(db: SqlExecutor, user: string, identity: IdentityInput): Promise<boolean> {
    return (
      (await db.run(
        `DELETE FROM ${this.#ctx.tables.userIdentities} WHERE issuer = ? AND subject = ? AND user_id = ?`,
        [identity.issuer, identity.subject, user],
      )) > 0
    );
  }

  async unlinkAll(db: SqlExecutor, user: string): Promise<void> {
    await db.run(`DELETE FROM ${this.#ctx.tables.userIdentities} WHERE user_id = ?`, [user]);
  }

  /** The id of the user `identity` is linked to. */
  async userOf(db: SqlExecutor, identity: IdentityInput): Promise<string | undefined> {
    const [row] = await db.all(
      `SELECT user_id FROM ${this.#ctx.tables.userIdentities} WHERE issuer = ? AND subject = ?`,
      [identity.issuer, identity.subject],
    );
    return row ? text(row, "user_id") : undefined;
  }

  /** The identities of each of `users`, oldest link first. */
  async of(db: SqlExecutor, users: readonly string[]): Promise<Map<string, LinkedIdentity[]>> {
    const linked = new Map<string, LinkedIdentity[]>();
    if (users.length === 0) return linked;
    const rows = await db.all(
      `SELECT user_id, issuer, subject, created_at FROM ${this.#ctx.tables.userIdentities} WHERE user_id IN (${users.map(() => "?").join(", ")}) ORDER BY created_at, issuer, subject`,
      [...users],
    );
    for (const row of rows) {
      const user = text(row, "user_id");
      const identities = linked.get(user) ?? [];
      identities.push({
        issuer: text(row, "issuer"),
        subject: text(row, "subject"),
        linkedAt: integer(row, "created_at"),
      });
      linked.set(user, identities);
    }
    return linked;
  }
}

/** Throws a TypeError (caller misuse) unless `identity` names an issuer and a subject. */
export function assertIdentity(identity: unknown): asserts identity is IdentityInput {
  const { issuer, subject } = (identity ?? {}) as Partial<Record<string, unknown>>;
  const valid = (value: unknown, max: number) =>
    typeof value === "string" &&
    value.length > 0 &&
    value.length <= max &&
    !hasControlCharacter(value);
  if (!valid(issuer, MAX_ISSUER_LENGTH) || !valid(subject, MAX_SUBJECT_LENGTH)) {
    throw new TypeError(
      `An identity is { issuer, subject }: the provider's issuer (1–${MAX_ISSUER_LENGTH} characters) and the value of its user claim (1–${MAX_SUBJECT_LENGTH}), without control characters.`,
    );
  }
}
