import { WritError } from "@writ/core";
import { type LeafRange, MerkleTreeBuilder, perfectSubtrees, rangeHash } from "@writ/core/backend";
import { text } from "../../sql/row-values.js";
import type { SqlExecutor } from "../../sql/sql-driver.js";
import type { StoreContext } from "../../store-context.js";
import { leafHashes } from "./tree-leaves.js";

/**
 * Perfect subtrees of 2^8 = 256 leaves and more are stored as they complete:
 * about 2 nodes per 256 rows, and no proof hashes more than 255 leaves.
 */
export const STORED_LEVEL = 8;

/** The hash of the perfect subtree of 2^level leaves starting at leaf index × 2^level. */
export async function subtreeHash(
  ctx: StoreContext,
  db: SqlExecutor,
  level: number,
  index: number,
): Promise<string> {
  if (level < STORED_LEVEL) {
    const size = 2 ** level;
    const builder = new MerkleTreeBuilder();
    for (const leaf of await leafHashes(ctx, db, index * size, (index + 1) * size))
      builder.push(leaf);
    return builder.root();
  }
  const [row] = await db.all(
    `SELECT hash FROM ${ctx.tables.ledgerTreeNodes} WHERE level = ? AND idx = ?`,
    [level, index],
  );
  if (!row) {
    throw new WritError(
      "ledger.broken",
      `The ledger's tree is missing its node at level ${level}, index ${index}; run verifyLedger().`,
    );
  }
  return text(row, "hash");
}

/** MTH of each range, as a proof carries them. */
export async function rangeHashes(
  ctx: StoreContext,
  db: SqlExecutor,
  ranges: readonly LeafRange[],
): Promise<string[]> {
  const hashes: string[] = [];
  for (const range of ranges) {
    const parts: string[] = [];
    for (const { level, index } of perfectSubtrees(range))
      parts.push(await subtreeHash(ctx, db, level, index));
    hashes.push(rangeHash(parts));
  }
  return hashes;
}
