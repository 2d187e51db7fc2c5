import type { KeyPair } from "@writ/core";
import type { SqlTransaction } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

/** Records a writer's chain and the public key its checkpoints and tree heads are signed with (once). */
export async function registerChain(
  ctx: StoreContext,
  tx: SqlTransaction,
  chainId: string,
  key: KeyPair,
): Promise<void> {
  await tx.run(
    `INSERT INTO ${ctx.tables.ledgerChains} (chain_id, started_at, key_thumbprint, public_jwk) VALUES (?, ?, ?, ?) ON CONFLICT (chain_id) DO NOTHING`,
    [chainId, ctx.clock(), key.thumbprint, JSON.stringify(key.publicJwk)],
  );
}
