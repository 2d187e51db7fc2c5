import { WritError } from "@writ/core";
import { ledgerLeafHash } from "@writ/core/backend";
import { integer, text } from "../../sql/row-values.js";
import type { SqlExecutor } from "../../sql/sql-driver.js";
import type { StoreContext } from "../../store-context.js";

/** A run of consecutive rows of one chain at consecutive leaf positions. */
export interface TreeSegment {
  readonly treeStart: number;
  readonly chainId: string;
  readonly firstSeq: number;
  readonly rowCount: number;
}

const SEGMENT_COLUMNS = "tree_start, chain_id, first_seq, row_count";

export function segmentOf(row: Readonly<Record<string, unknown>>): TreeSegment {
  return {
    treeStart: integer(row, "tree_start"),
    chainId: text(row, "chain_id"),
    firstSeq: integer(row, "first_seq"),
    rowCount: integer(row, "row_count"),
  };
}

/** Every segment, in tree order. */
export async function loadSegments(ctx: StoreContext, db: SqlExecutor): Promise<TreeSegment[]> {
  return (
    await db.all(
      `SELECT ${SEGMENT_COLUMNS} FROM ${ctx.tables.ledgerTreeSegments} ORDER BY tree_start`,
    )
  ).map(segmentOf);
}

/** The leaf a row is, or undefined when it is not in the tree yet. */
export async function leafIndexOf(
  ctx: StoreContext,
  db: SqlExecutor,
  chainId: string,
  seq: number,
): Promise<number | undefined> {
  const [row] = await db.all(
    `SELECT ${SEGMENT_COLUMNS} FROM ${ctx.tables.ledgerTreeSegments} WHERE chain_id = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1`,
    [chainId, seq],
  );
  if (!row) return undefined;
  const segment = segmentOf(row);
  return seq < segment.firstSeq + segment.rowCount
    ? segment.treeStart + (seq - segment.firstSeq)
    : undefined;
}

/** The leaf hashes of leaves [start, end), read through the segments that place them. */
export async function leafHashes(
  ctx: StoreContext,
  db: SqlExecutor,
  start: number,
  end: number,
): Promise<string[]> {
  const { ledgerTreeSegments: segments, ledger } = ctx.tables;
  const [first] = await db.all(
    `SELECT ${SEGMENT_COLUMNS} FROM ${segments} WHERE tree_start <= ? ORDER BY tree_start DESC LIMIT 1`,
    [start],
  );
  const rest = await db.all(
    `SELECT ${SEGMENT_COLUMNS} FROM ${segments} WHERE tree_start > ? AND tree_start < ? ORDER BY tree_start`,
    [start, end],
  );
  const hashes: string[] = [];
  for (const segment of [...(first ? [first] : []), ...rest].map(segmentOf)) {
    const from = Math.max(start, segment.treeStart);
    const to = Math.min(end, segment.treeStart + segment.rowCount);
    if (from >= to) continue;
    const firstSeq = segment.firstSeq + (from - segment.treeStart);
    const rows = await db.values(
      `SELECT seq, hash FROM ${ledger} WHERE chain_id = ? AND seq >= ? AND seq < ? ORDER BY seq`,
      [segment.chainId, firstSeq, firstSeq + (to - from)],
    );
    for (const [offset, [seq, hash]] of rows.entries()) {
      if (Number(seq) !== firstSeq + offset) break;
      hashes.push(ledgerLeafHash(String(hash)));
    }
  }
  if (hashes.length !== end - start) {
    throw new WritError(
      "ledger.broken",
      `The ledger's tree places rows at leaves ${start}–${end - 1} that are missing; run verifyLedger() to find them.`,
    );
  }
  return hashes;
}
