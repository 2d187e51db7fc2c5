import { type KeyPair, WritError } from "@writ/core";
import {
  type CompletedSubtree,
  type ConsistencyProof,
  consistencyProofRanges,
  inclusionProofRanges,
  isMerkleHash,
  type LedgerEvidence,
  ledgerLeafHash,
  MerkleTreeBuilder,
  type SignedTreeHead,
  signTreeHead,
} from "@writ/core/backend";
import { integer, optionalInteger, text } from "../../sql/row-values.js";
import type { SqlTransaction, SqlValue } from "../../sql/sql-driver.js";
import type { StoreContext } from "../../store-context.js";
import { LEDGER_SELECT, recordOf } from "../ledger-rows.js";
import { registerChain } from "../register-chain.js";
import type { TreeHeadWitness } from "./tree-head-witness.js";
import { newestTreeHead } from "./tree-heads.js";
import { leafIndexOf } from "./tree-leaves.js";
import { rangeHashes, STORED_LEVEL } from "./tree-nodes.js";

export interface LedgerTreeOptions {
  /** This writer's chain: it signs tree heads with the chain's key. */
  readonly chainId: string;
  readonly key: KeyPair;
  /** How often to place new rows in the tree and sign a tree head, in ms. */
  readonly intervalMs: number;
  readonly witnesses: readonly TreeHeadWitness[];
  readonly onWitnessError: (error: unknown, head: SignedTreeHead) => void;
}

interface TreeState {
  readonly size: number;
  readonly peaks: readonly string[];
}

type Step = "more" | "conflict" | { readonly head: SignedTreeHead | undefined };

/** Rows placed per transaction: each stays short, so appends wait little for it. */
const ROWS_PER_STEP = 5000;
/** Other sequencers winning the race this often in a row means something is wrong. */
const MAX_CONFLICTS = 50;

/**
 * The ledger's Merkle tree over every writer's rows in one global order
 * (RFC 9162). Writers commit to their own chains without waiting for each
 * other; this sequencer then places committed rows at the next leaf
 * positions (chain by chain, in seq order) in short transactions of its
 * own, storing each run as a segment and the perfect subtrees of 256 leaves
 * and more. Sequencers in several processes take turns on one state row and
 * retry when another got there first. Tree heads are signed with this
 * writer's key at an interval and on close, and handed to the witnesses.
 */
export class LedgerTree {
  readonly #ctx: StoreContext;
  readonly #options: LedgerTreeOptions;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #deliveries = new Set<Promise<void>>();
  /** The tree as this sequencer last committed or read it; checked under the lock before use. */
  #state: TreeState | undefined;
  #work: Promise<unknown> = Promise.resolve();

  constructor(ctx: StoreContext, options: LedgerTreeOptions) {
    this.#ctx = ctx;
    this.#options = options;
    // A store opened for reading only never sequences or signs.
    this.#timer = ctx.readOnly
      ? undefined
      : setInterval(() => {
          // A failed tick (the store going away, a busy database) is retried at the next one.
          this.advance({ sign: true }).catch(() => undefined);
        }, options.intervalMs).unref();
  }

  /**
   * Places every committed row not yet in the tree, then, with `sign`, signs
   * a tree head if the tree grew past the newest one. `finish` marks this
   * writer's chain done once its rows through `nextSeq - 1` are placed.
   */
  advance(options: {
    readonly sign: boolean;
    readonly finish?: { readonly nextSeq: number };
  }): Promise<SignedTreeHead | undefined> {
    if (this.#ctx.readOnly) return Promise.resolve(undefined);
    const run = this.#work.then(() => this.#advance(options));
    this.#work = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer, places this writer's last rows and signs a final tree head if it wrote any, and waits for the witnesses. */
  async close(lastSeq: number | undefined): Promise<void> {
    clearInterval(this.#timer);
    try {
      if (lastSeq !== undefined && lastSeq > 0)
        await this.advance({ sign: true, finish: { nextSeq: lastSeq + 1 } });
    } finally {
      await Promise.all(this.#deliveries);
    }
  }

  newest(): Promise<SignedTreeHead | undefined> {
    return newestTreeHead(this.#ctx, this.#ctx.driver);
  }

  /**
   * Evidence of one row: the row, its leaf, the newest tree head and the
   * inclusion proof. A row not yet under a tree head is placed and signed
   * first (`signIfNeeded`).
   */
  async evidence(eventId: string, signIfNeeded: boolean): Promise<LedgerEvidence> {
    const ctx = this.#ctx;
    const [row] = await ctx.driver.all(
      `SELECT ${LEDGER_SELECT} FROM ${ctx.tables.ledger} WHERE id = ?`,
      [eventId],
    );
    if (!row) throw new WritError("store.not_found", `No ledger row with event id ${eventId}.`);
    const record = recordOf(row);
    let leafIndex = await leafIndexOf(ctx, ctx.driver, record.chainId, record.seq);
    let treeHead = await this.newest();
    if ((leafIndex === undefined || (treeHead?.treeSize ?? 0) <= leafIndex) && signIfNeeded) {
      treeHead = (await this.advance({ sign: true })) ?? (await this.newest());
      leafIndex = await leafIndexOf(ctx, ctx.driver, record.chainId, record.seq);
    }
    if (leafIndex === undefined || treeHead === undefined || treeHead.treeSize <= leafIndex) {
      throw new WritError(
        "store.not_found",
        `Ledger row ${eventId} is not under a signed tree head yet; the next one covers it.`,
      );
    }
    const proof = await rangeHashes(
      ctx,
      ctx.driver,
      inclusionProofRanges(leafIndex, treeHead.treeSize),
    );
    return { record, leafIndex, treeHead, proof };
  }

  /** A proof that the tree of `size1` rows is a prefix of the tree of `size2` (default: the whole tree). */
  async consistency(size1: number, size2?: number): Promise<ConsistencyProof> {
    const ctx = this.#ctx;
    const [last] = await ctx.driver.all(
      `SELECT tree_start + row_count AS size FROM ${ctx.tables.ledgerTreeSegments} ORDER BY tree_start DESC LIMIT 1`,
    );
    const size = last ? integer(last, "size") : 0;
    const to = size2 ?? size;
    if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(to) || size1 < 0 || size1 > to)
      throw new TypeError("A consistency proof is between tree sizes 0 ≤ size1 ≤ size2.");
    if (to > size)
      throw new WritError("store.not_found", `The ledger's tree has ${size} rows, not ${to}.`);
    return {
      size1,
      size2: to,
      proof: await rangeHashes(ctx, ctx.driver, consistencyProofRanges(size1, to)),
    };
  }

  async #advance(options: {
    readonly sign: boolean;
    readonly finish?: { readonly nextSeq: number };
  }): Promise<SignedTreeHead | undefined> {
    let conflicts = 0;
    for (;;) {
      const step = await this.#step(options);
      if (step === "more") continue;
      if (step !== "conflict") return step.head;
      if (++conflicts > MAX_CONFLICTS) {
        throw new WritError(
          "store.unavailable",
          "Other sequencers kept placing rows in the ledger's tree first; trying again later.",
        );
      }
    }
  }

  /** Places up to ROWS_PER_STEP rows in one transaction; signs and finishes in the last one. */
  async #step(options: {
    readonly sign: boolean;
    readonly finish?: { readonly nextSeq: number };
  }): Promise<Step> {
    const { driver: db, tables, clock } = this.#ctx;
    const state = this.#state ?? (await this.#readState());
    const pending = await db.all(
      `SELECT c.chain_id, t.next_seq FROM ${tables.ledgerChains} c LEFT JOIN ${tables.ledgerTreeChains} t ON t.chain_id = c.chain_id WHERE t.finished_at IS NULL ORDER BY c.chain_id`,
    );
    const nodes: CompletedSubtree[] = [];
    const builder = new MerkleTreeBuilder({
      size: state.size,
      peaks: state.peaks,
      minLevel: STORED_LEVEL,
      onSubtree: (node) => nodes.push(node),
    });
    const now = clock();
    const segments: SqlValue[][] = [];
    const positions: SqlValue[][] = [];
    let budget = ROWS_PER_STEP;
    for (const chain of pending) {
      if (budget === 0) break;
      const chainId = text(chain, "chain_id");
      const next = optionalInteger(chain, "next_seq") ?? 1;
      const rows = await db.values(
        `SELECT seq, hash FROM ${tables.ledger} WHERE chain_id = ? AND seq >= ? ORDER BY seq LIMIT ?`,
        [chainId, next, budget],
      );
      const treeStart = builder.size;
      let count = 0;
      // Only the gapless run from where the chain stands: a missing row stops it (verifyLedger names it).
      for (const [seq, hash] of rows) {
        if (Number(seq) !== next + count) break;
        builder.push(ledgerLeafHash(String(hash)));
        count++;
      }
      if (count === 0) continue;
      budget -= count;
      segments.push([treeStart, chainId, next, count, now]);
      positions.push([chainId, next + count]);
    }
    const more = budget === 0;
    const last = !more;
    if (segments.length === 0 && !(last && (options.sign || options.finish)))
      return { head: undefined };
    const outcome = await db.transaction(async (tx): Promise<Step> => {
      const lock = db.dialect === "postgres" ? " FOR UPDATE" : "";
      const [current] = await tx.all(
        `SELECT tree_size FROM ${tables.ledgerTreeState} WHERE id = 1${lock}`,
      );
      if (!current || integer(current, "tree_size") !== state.size) return "conflict";
      if (segments.length > 0) await this.#place(tx, builder, segments, nodes, positions);
      const head = last && options.sign ? await this.#sign(tx, builder) : undefined;
      if (last && options.finish) {
        await tx.run(
          `UPDATE ${tables.ledgerTreeChains} SET finished_at = ? WHERE chain_id = ? AND next_seq = ?`,
          [now, this.#options.chainId, options.finish.nextSeq],
        );
      }
      const placed: TreeState = { size: builder.size, peaks: [...builder.peaks] };
      tx.afterCommit(() => {
        this.#state = placed;
      });
      return more ? "more" : { head };
    });
    if (outcome === "conflict") this.#state = undefined;
    else if (outcome !== "more" && outcome.head) this.#deliver(outcome.head);
    return outcome;
  }

  async #place(
    tx: SqlTransaction,
    builder: MerkleTreeBuilder,
    segments: readonly SqlValue[][],
    nodes: readonly CompletedSubtree[],
    positions: readonly SqlValue[][],
  ): Promise<void> {
    const { tables } = this.#ctx;
    await tx.insertMany(
      `INSERT INTO ${tables.ledgerTreeSegments} (tree_start, chain_id, first_seq, row_count, sequenced_at)`,
      segments,
    );
    if (nodes.length > 0) {
      await tx.insertMany(
        `INSERT INTO ${tables.ledgerTreeNodes} (level, idx, hash)`,
        nodes.map(({ level, index, hash }) => [level, index, hash]),
      );
    }
    await tx.insertMany(
      `INSERT INTO ${tables.ledgerTreeChains} (chain_id, next_seq)`,
      positions,
      "ON CONFLICT (chain_id) DO UPDATE SET next_seq = excluded.next_seq",
    );
    await tx.run(
      `UPDATE ${tables.ledgerTreeState} SET tree_size = ?, peaks_json = ? WHERE id = 1`,
      [builder.size, JSON.stringify(builder.peaks)],
    );
  }

  /** Signs a tree head when the tree grew past the newest one. */
  async #sign(tx: SqlTransaction, builder: MerkleTreeBuilder): Promise<SignedTreeHead | undefined> {
    const { tables, clock } = this.#ctx;
    const { chainId, key } = this.#options;
    const [signed] = await tx.all(`SELECT MAX(tree_size) AS size FROM ${tables.ledgerTreeHeads}`);
    if (builder.size <= (signed ? (optionalInteger(signed, "size") ?? 0) : 0)) return undefined;
    // The signer's key must be on record for verifiers, even when this writer appended nothing.
    await registerChain(this.#ctx, tx, chainId, key);
    await tx.run(
      `INSERT INTO ${tables.ledgerTreeChains} (chain_id, next_seq) VALUES (?, 1) ON CONFLICT (chain_id) DO NOTHING`,
      [chainId],
    );
    const head = signTreeHead(
      { treeSize: builder.size, rootHash: builder.root(), time: clock() },
      key,
      chainId,
    );
    await tx.run(
      `INSERT INTO ${tables.ledgerTreeHeads} (tree_size, root_hash, time, signer, key_thumbprint, signature) VALUES (?, ?, ?, ?, ?, ?)`,
      [head.treeSize, head.rootHash, head.time, chainId, key.thumbprint, head.signature],
    );
    return head;
  }

  async #readState(): Promise<TreeState> {
    const { driver, tables } = this.#ctx;
    const [row] = await driver.all(
      `SELECT tree_size, peaks_json FROM ${tables.ledgerTreeState} WHERE id = 1`,
    );
    try {
      if (!row) throw new TypeError("The state row (id 1) is absent.");
      const size = integer(row, "tree_size");
      const peaks: unknown = JSON.parse(text(row, "peaks_json"));
      if (!Array.isArray(peaks) || !peaks.every(isMerkleHash))
        throw new TypeError("peaks_json is not a list of Merkle hashes.");
      return { size, peaks: new MerkleTreeBuilder({ size, peaks }).peaks };
    } catch (cause) {
      // The cause says which: no row, a column of the wrong type, or peaks that do not fit the size.
      throw new WritError(
        "store.corrupt",
        "The ledger tree's state row is missing or does not hold the peaks of its size; the database was changed outside Writ.",
        {},
        cause,
      );
    }
  }

  #deliver(head: SignedTreeHead): void {
    for (const witness of this.#options.witnesses) {
      const delivery = Promise.resolve()
        .then(() => witness(head))
        .catch((error: unknown) => this.#options.onWitnessError(error, head))
        .finally(() => this.#deliveries.delete(delivery));
      this.#deliveries.add(delivery);
    }
  }
}
