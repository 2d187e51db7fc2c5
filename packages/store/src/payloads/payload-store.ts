import type { StoredPayload } from "@writ/core/backend";
import type { RunAdminChange } from "../admin/admin-change.js";
import { integer, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { StoreContext } from "../store-context.js";

const PAYLOAD_HASH = /^[0-9a-f]{64}$/;

/**
 * Inputs and outputs kept beside the ledger chain, keyed by the hash a row
 * records: erasing a body leaves the hash, so the chain still verifies.
 */
export class PayloadStore {
  readonly #ctx: StoreContext;
  readonly #change: RunAdminChange;

  constructor(ctx: StoreContext, change: RunAdminChange) {
    this.#ctx = ctx;
    this.#change = change;
  }

  async get(hash: string): Promise<StoredPayload | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT hash, body_json, stored_at, erased_at FROM ${this.#ctx.tables.ledgerPayloads} WHERE hash = ?`,
      [hash],
    );
    if (!row) return undefined;
    const body = optionalText(row, "body_json");
    const erasedAt = optionalInteger(row, "erased_at");
    return {
      hash: text(row, "hash"),
      ...(body === null ? {} : { body: JSON.parse(body) as unknown }),
      erased: erasedAt !== null,
      storedAt: integer(row, "stored_at"),
      ...(erasedAt === null ? {} : { erasedAt }),
    };
  }

  /** Removes a body for good; false when there is none (unknown, or already erased). */
  async erase(hash: string): Promise<boolean> {
    if (typeof hash !== "string" || !PAYLOAD_HASH.test(hash)) {
      throw new TypeError(
        "erasePayload needs the payload's hex SHA-256 hash, as the ledger row records it.",
      );
    }
    return this.#change(async ({ tx, audit }) => {
      const erased =
        (await tx.run(
          `UPDATE ${this.#ctx.tables.ledgerPayloads} SET body_json = NULL, erased_at = ? WHERE hash = ? AND erased_at IS NULL`,
          [this.#ctx.clock(), hash],
        )) > 0;
      if (erased) await audit("erase_payload", { hash });
      return erased;
    });
  }
}
