import { IssuerKeySet, type IssuerKeySetJson, type IssuerKeyStatus, WritError } from "@writ/core";
import type { RunAdminChange } from "../admin/admin-change.js";
import { json, text } from "../sql/row-values.js";
import type { SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/**
 * The issuer's signing keys, persisted so every process of a deployment signs
 * and verifies with the same set. The private keys are in the database:
 * protect it (and its backups) like a secret store.
 */
const DEFAULT_ISSUER = "writ";

export class IssuerKeyStore {
  readonly #ctx: StoreContext;
  readonly #change: RunAdminChange;
  /** Named by the caller, or found in the store on first use. */
  #issuer: string | undefined;

  constructor(ctx: StoreContext, issuer: string | undefined, change: RunAdminChange) {
    this.#ctx = ctx;
    this.#issuer = issuer;
    this.#change = change;
  }

  /** The stored set, created with one fresh key on first use. */
  load(): Promise<IssuerKeySet> {
    return this.#ctx.driver.transaction(async (tx) => {
      const existing = await this.#read(tx);
      if (existing) return existing;
      const set = IssuerKeySet.generate(await this.#issuerOf(tx));
      await this.#write(tx, set);
      return set;
    });
  }

  /** Makes a fresh key the active one; returns its key id. */
  rotate(): Promise<string> {
    return this.#change(async ({ tx, audit }) => {
      const set = (await this.#read(tx)) ?? IssuerKeySet.generate(await this.#issuerOf(tx));
      const kid = set.rotate();
      await this.#write(tx, set);
      await audit("rotate_issuer_key", { kid });
      return kid;
    });
  }

  retire(kid: string): Promise<void> {
    return this.#change(async ({ tx, audit }) => {
      const set = await this.#read(tx);
      if (!set)
        throw new WritError("key.unknown", "This store has no issuer keys yet.", { name: kid });
      set.retire(kid);
      await this.#write(tx, set);
      await audit("retire_issuer_key", { kid });
    });
  }

  /**
   * The issuer id: the one the caller named, else the one whose keys the
   * store holds (so a store made in code and the `writ` command sign as the
   * same issuer), else "writ".
   */
  async #issuerOf(tx: SqlTransaction): Promise<string> {
    if (this.#issuer !== undefined) return this.#issuer;
    const issuers = (
      await tx.all(`SELECT DISTINCT issuer FROM ${this.#ctx.tables.issuerKeys} ORDER BY issuer`)
    ).map((row) => text(row, "issuer"));
    if (issuers.length > 1 && !issuers.includes(DEFAULT_ISSUER)) {
      throw new TypeError(
        `This store holds keys of several issuers (${issuers.join(", ")}): say which with the issuer option.`,
      );
    }
    const issuer = issuers.length === 1 ? (issuers[0] as string) : DEFAULT_ISSUER;
    tx.afterCommit(() => {
      this.#issuer ??= issuer;
    });
    return issuer;
  }

  async #read(tx: SqlTransaction): Promise<IssuerKeySet | undefined> {
    const lock = this.#ctx.driver.dialect === "postgres" ? " FOR UPDATE" : "";
    const issuer = await this.#issuerOf(tx);
    const rows = await tx.all(
      `SELECT kid, status, private_jwk FROM ${this.#ctx.tables.issuerKeys} WHERE issuer = ? ORDER BY created_at, kid${lock}`,
      [issuer],
    );
    if (rows.length === 0) return undefined;
    const stored: IssuerKeySetJson = {
      issuer,
      keys: rows.map((row) => ({
        kid: text(row, "kid"),
        status: text(row, "status") as IssuerKeyStatus,
        jwk: json(row, "private_jwk") as IssuerKeySetJson["keys"][number]["jwk"],
      })),
    };
    return IssuerKeySet.fromPrivate(stored);
  }

  async #write(tx: SqlTransaction, set: IssuerKeySet): Promise<void> {
    const now = this.#ctx.clock();
    const { keys } = set.exportPrivate();
    for (const [index, key] of keys.entries()) {
      await tx.run(
        `INSERT INTO ${this.#ctx.tables.issuerKeys} (kid, issuer, status, private_jwk, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kid) DO UPDATE SET status = excluded.status`,
        // created_at orders the keys: older keys first, as the set keeps them.
        [key.kid, set.issuer, key.status, JSON.stringify(key.jwk), now + index],
      );
    }
  }
}
