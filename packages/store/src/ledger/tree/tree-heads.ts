import type { Ed25519PublicJwk } from "@writ/core";
import { type SignedTreeHead, TREE_HEAD_TYPE } from "@writ/core/backend";
import { integer, text } from "../../sql/row-values.js";
import type { SqlExecutor, SqlRow } from "../../sql/sql-driver.js";
import type { StoreContext } from "../../store-context.js";

/** A tree head as the store keeps it, with its signer's key as registered (absent when the signer is unknown). */
export interface StoredTreeHead {
  readonly head: SignedTreeHead;
  /** The thumbprint the row names; compared with the registered key's. */
  readonly keyThumbprint: string;
  readonly registeredKey: Ed25519PublicJwk | undefined;
}

function select(ctx: StoreContext): string {
  const { ledgerTreeHeads: heads, ledgerChains: chains } = ctx.tables;
  return `SELECT h.tree_size, h.root_hash, h.time, h.signer, h.key_thumbprint, h.signature, c.public_jwk
    FROM ${heads} h LEFT JOIN ${chains} c ON c.chain_id = h.signer`;
}

function storedHead(row: SqlRow): StoredTreeHead {
  let registeredKey: Ed25519PublicJwk | undefined;
  try {
    registeredKey =
      row.public_jwk === null || row.public_jwk === undefined
        ? undefined
        : (JSON.parse(text(row, "public_jwk")) as Ed25519PublicJwk);
  } catch {
    registeredKey = undefined; // reported as an unverifiable signature
  }
  return {
    head: {
      typ: TREE_HEAD_TYPE,
      treeSize: integer(row, "tree_size"),
      rootHash: text(row, "root_hash"),
      time: integer(row, "time"),
      signer: text(row, "signer"),
      publicJwk: registeredKey ?? { kty: "OKP", crv: "Ed25519", x: "" },
      signature: text(row, "signature"),
    },
    keyThumbprint: text(row, "key_thumbprint"),
    registeredKey,
  };
}

/** Every signed tree head, smallest tree first. */
export async function loadTreeHeads(ctx: StoreContext, db: SqlExecutor): Promise<StoredTreeHead[]> {
  return (await db.all(`${select(ctx)} ORDER BY h.tree_size`)).map(storedHead);
}

/** The newest tree head (the largest tree), if any. */
export async function newestTreeHead(
  ctx: StoreContext,
  db: SqlExecutor,
): Promise<SignedTreeHead | undefined> {
  const [row] = await db.all(`${select(ctx)} ORDER BY h.tree_size DESC LIMIT 1`);
  return row ? storedHead(row).head : undefined;
}

/** The smallest tree head covering leaf `index`. */
export async function treeHeadCovering(
  ctx: StoreContext,
  db: SqlExecutor,
  index: number,
): Promise<SignedTreeHead | undefined> {
  const [row] = await db.all(`${select(ctx)} WHERE h.tree_size > ? ORDER BY h.tree_size LIMIT 1`, [
    index,
  ]);
  return row ? storedHead(row).head : undefined;
}
