import { type Revocation, type RevocationKind, WritError } from "@writ/core";
import type { Page, RevocationQuery, RevokeInput } from "@writ/core/backend";
import { REVOCATION_KINDS, revocationEntry } from "@writ/core/backend";
import type { RunAdminChange } from "../admin/admin-change.js";
import type { LiveFeed } from "../live/live-feed.js";
import { text } from "../sql/row-values.js";
import type { StoreContext } from "../store-context.js";
import { revocationOf } from "./load-revocations.js";
import { listRevocations } from "./revocation-list.js";

const MAX_TARGET_LENGTH = 256;
const MAX_REASON_LENGTH = 500;

/** Where a revocation begun in this process is announced before it commits. */
export type LocalRevocations = Pick<LiveFeed, "revocationPending" | "revocationWithdrawn">;

/**
 * Revocations: permanent, sequence-numbered with the live changes that carry
 * them to every watching guard, and recorded in the ledger with the change.
 */
export class RevocationStore {
  readonly #ctx: StoreContext;
  readonly #change: RunAdminChange;
  readonly #local: LocalRevocations;

  constructor(ctx: StoreContext, change: RunAdminChange, local: LocalRevocations) {
    this.#ctx = ctx;
    this.#change = change;
    this.#local = local;
  }

  /**
   * Revokes a target; revoking it again returns the first revocation. A user
   * or agent must be in the directory (else store.not_found); hops and keys
   * may be revoked before the store has seen them.
   *
   * The guards watching this store in this process enforce it from the call
   * on, before it commits: the commit may wait for the disk (or another
   * process's lock), and no call this process decides meanwhile is allowed.
   * If the revocation definitely did not commit (its transaction failed
   * before committing) they lift it again as revoke() rejects; if its commit
   * itself failed, whether it committed is in doubt and they keep enforcing
   * it (fail closed) until it arrives committed: retry revoke().
   */
  async revoke(input: RevokeInput): Promise<Revocation> {
    const { kind, id, reason, by } = checkRevokeInput(input);
    this.#local.revocationPending(kind, id);
    let committing = false;
    try {
      return await this.#write(kind, id, reason, by, () => {
        committing = true;
      });
    } catch (error) {
      if (!committing) this.#local.revocationWithdrawn(kind, id);
      throw error;
    }
  }

  /** The revocation's change transaction; `committing` is called once its work is done and only the commit can fail. */
  #write(
    kind: RevocationKind,
    id: string,
    reason: string | undefined,
    by: string | undefined,
    committing: () => void,
  ): Promise<Revocation> {
    const { tables, clock } = this.#ctx;
    return this.#change(async ({ tx, emit, record }) => {
      const [existing] = await tx.all(
        `SELECT kind, target_id, seq, at, reason FROM ${tables.revocations} WHERE kind = ? AND target_id = ?`,
        [kind, id],
      );
      if (existing) {
        committing();
        return revocationOf(existing);
      }
      // A user or agent the directory does not hold is a typo, not a revocation: say so.
      const directory =
        kind === "user" ? tables.users : kind === "agent" ? tables.agents : undefined;
      if (directory !== undefined) {
        const [known] = await tx.all(`SELECT id FROM ${directory} WHERE id = ?`, [id]);
        if (!known)
          throw new WritError(
            "store.not_found",
            `No ${kind} has this id: nothing was revoked. Check the id (writ ${kind}s list).`,
          );
      }
      const at = clock();
      const numbered = (seq: number): Revocation => ({
        kind,
        id,
        seq,
        at,
        ...(reason === undefined ? {} : { reason }),
      });
      const { seq } = emit((seq) => ({ seq, type: "revocation", revocation: numbered(seq) }));
      await tx.run(
        `INSERT INTO ${tables.revocations} (kind, target_id, seq, at, reason) VALUES (?, ?, ?, ?, ?)`,
        [kind, id, seq, at, reason ?? null],
      );
      const revocation = numbered(seq);
      await record(revocationEntry(revocation, by));
      committing();
      return revocation;
    });
  }

  list(query?: RevocationQuery): Promise<Page<Revocation>> {
    return listRevocations(this.#ctx, query);
  }

  /** The earliest revocation among `targets`, if any. */
  async firstRevoked(
    targets: readonly (readonly [RevocationKind, string])[],
  ): Promise<RevocationKind | undefined> {
    const where = targets.map(() => "(kind = ? AND target_id = ?)").join(" OR ");
    const [row] = await this.#ctx.driver.all(
      `SELECT kind FROM ${this.#ctx.tables.revocations} WHERE ${where} ORDER BY seq LIMIT 1`,
      targets.flat(),
    );
    return row ? (text(row, "kind") as RevocationKind) : undefined;
  }
}

function checkRevokeInput(input: RevokeInput): RevokeInput {
  if (input === null || typeof input !== "object")
    throw new TypeError("revoke needs { kind, id, reason?, by? }.");
  const { kind, id, reason, by } = input;
  if (
    by !== undefined &&
    (typeof by !== "string" || by.length === 0 || by.length > MAX_TARGET_LENGTH)
  ) {
    throw new TypeError(
      `A revocation's "by" names who revoked, in 1–${MAX_TARGET_LENGTH} characters.`,
    );
  }
  if (!REVOCATION_KINDS.includes(kind)) {
    throw new TypeError(`Unknown revocation kind: use one of ${REVOCATION_KINDS.join(", ")}.`);
  }
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_TARGET_LENGTH) {
    throw new TypeError(
      `A revocation needs the id of what to revoke (1–${MAX_TARGET_LENGTH} characters).`,
    );
  }
  if (reason !== undefined && (typeof reason !== "string" || reason.length > MAX_REASON_LENGTH)) {
    throw new TypeError(
      `A revocation reason must be a string of at most ${MAX_REASON_LENGTH} characters.`,
    );
  }
  return input;
}
