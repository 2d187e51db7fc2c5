import { integer, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { StoreContext } from "../store-context.js";

/** One writer's chain: how long it is and its latest signed checkpoint. */
export interface LedgerChainInfo {
  readonly chainId: string;
  readonly startedAt: number;
  /** Thumbprint of the key its checkpoints are signed with. */
  readonly keyThumbprint: string;
  readonly rows: number;
  readonly lastCheckpoint?: { readonly seq: number; readonly time: number; readonly hash: string };
}

/** Every writer chain, newest first. */
export async function ledgerChains(ctx: StoreContext): Promise<LedgerChainInfo[]> {
  const { tables } = ctx;
  const rows = await ctx.driver.all(
    `SELECT c.chain_id, c.started_at, c.key_thumbprint,
       (SELECT MAX(l.seq) FROM ${tables.ledger} l WHERE l.chain_id = c.chain_id) AS last_seq,
       k.seq AS checkpoint_seq, k.time AS checkpoint_time, k.hash AS checkpoint_hash
     FROM ${tables.ledgerChains} c
     LEFT JOIN ${tables.ledgerCheckpoints} k ON k.chain_id = c.chain_id
       AND k.seq = (SELECT MAX(seq) FROM ${tables.ledgerCheckpoints} WHERE chain_id = c.chain_id)
     ORDER BY c.started_at DESC, c.chain_id`,
  );
  return rows.map((row) => {
    const seq = optionalInteger(row, "checkpoint_seq");
    return {
      chainId: text(row, "chain_id"),
      startedAt: integer(row, "started_at"),
      keyThumbprint: text(row, "key_thumbprint"),
      rows: optionalInteger(row, "last_seq") ?? 0,
      ...(seq === null
        ? {}
        : {
            lastCheckpoint: {
              seq,
              time: integer(row, "checkpoint_time"),
              hash: optionalText(row, "checkpoint_hash") ?? "",
            },
          }),
    };
  });
}
