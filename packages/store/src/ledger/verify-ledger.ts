import { availableParallelism } from "node:os";
import { importPublicKey, type PublicKey } from "@writ/core";
import {
  LedgerChainVerifier,
  type LedgerProblem,
  type LedgerVerification,
  ledgerLeafHash,
  MerkleTreeBuilder,
  type SignedTreeHead,
  type VerificationProgress,
  type VerifiedTreeHead,
  type VerifyLedgerOptions,
  verifyTreeHeadSignature,
} from "@writ/core/backend";
import { groupInto } from "../group-into.js";
import { integer, text } from "../sql/row-values.js";
import type { SqlExecutor } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { checkpointSigningInput } from "./checkpoint-signature.js";
import { LEDGER_SELECT } from "./ledger-rows.js";
import { loadTreeHeads } from "./tree/tree-heads.js";
import { loadSegments, type TreeSegment } from "./tree/tree-leaves.js";
import {
  type CheckedTree,
  checkTreeInParallel,
  RANGE_LEAVES,
} from "./verify/check-tree-in-parallel.js";
import { fillStoredRow, storedRowScratch } from "./verify/stored-row-scratch.js";

interface Checkpoint {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: number;
  readonly signature: string;
}

/** A root the tree must have at a size: a signed tree head's, from the store or from outside. */
interface RootCheck {
  readonly size: number;
  readonly root: string;
  readonly outside: boolean;
}

const PAGE = 1000;
/** Worker threads for a large tree in a file; below two ranges, starting them costs more than it saves. */
const WORKERS = Math.min(availableParallelism(), 4);

/** Stops verification at the first problem. */
class Broken extends Error {
  readonly problem: LedgerProblem;
  constructor(problem: LedgerProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/**
 * Recomputes every row's hash and chain link, every signed checkpoint, and
 * the Merkle tree over all rows in the tree's global order, checking its
 * root at every signed tree head in the store and at every tree head given
 * from outside. Rows stream a page at a time as arrays, hashed from their
 * columns. Names the first problem, and says what it could not rule out.
 */
export async function verifyLedger(
  ctx: StoreContext,
  db: SqlExecutor,
  options: VerifyLedgerOptions = {},
): Promise<LedgerVerification> {
  const run = new LedgerVerifier(ctx, db, options);
  try {
    await run.verify();
    return run.result();
  } catch (error) {
    if (error instanceof Broken) return run.result(error.problem);
    throw error;
  }
}

class LedgerVerifier {
  readonly #ctx: StoreContext;
  readonly #db: SqlExecutor;
  readonly #against: readonly SignedTreeHead[];
  readonly #onProgress: ((progress: VerificationProgress) => void) | undefined;
  /** Rows there were when the verification started; counted only for a progress listener. */
  #total = 0;
  #chains = new LedgerChainVerifier();
  #tree = new MerkleTreeBuilder();
  readonly #keys = new Map<string, PublicKey | undefined>();
  readonly #checkpoints = new Map<string, Checkpoint[]>();
  readonly #seen = new Set<string>();
  /** Tree-checked positions: heads in the store and from outside, by size. */
  #checks: RootCheck[] = [];
  #checkpointCount = 0;
  #treeHeads = 0;
  #newest: VerifiedTreeHead | undefined;
  #uncovered = 0;
  readonly #row = storedRowScratch();

  constructor(ctx: StoreContext, db: SqlExecutor, options: VerifyLedgerOptions) {
    this.#ctx = ctx;
    this.#db = db;
    this.#against = [...(options.against ?? [])].sort((a, b) => a.treeSize - b.treeSize);
    this.#onProgress = options.onProgress;
  }

  async verify(): Promise<void> {
    if (this.#onProgress) {
      const [count] = await this.#db.all(`SELECT COUNT(*) AS n FROM ${this.#ctx.tables.ledger}`);
      this.#total = count ? integer(count, "n") : 0;
    }
    await this.#loadKeys();
    await this.#loadCheckpoints();
    await this.#loadTreeHeads();
    const placed = await this.#verifyTree();
    await this.#verifyUncovered(placed);
    this.#finishCheckpoints();
  }

  result(problem?: LedgerProblem): LedgerVerification {
    const now = this.#ctx.clock();
    const newest = this.#newest;
    const outside = this.#against.at(-1);
    const unverified: string[] = [];
    if (!outside) {
      unverified.push(
        "No tree head kept outside the store was given, so rows deleted together with the tree heads and tree entries that cover them (a wiped tail, a whole chain) cannot be ruled out: verify against a witness's copy.",
      );
    } else if (outside.treeSize < this.#tree.size) {
      unverified.push(
        `Rows after the first ${outside.treeSize} of the tree are checked against the store's own tree heads only, which whoever can write the store could replace: verify against a newer witness copy.`,
      );
    }
    if (!newest) unverified.push("The store holds no signed tree head yet.");
    if (this.#uncovered > 0) {
      unverified.push(
        `${this.#uncovered} row${this.#uncovered === 1 ? " is" : "s are"} newer than the tree: their chains and checkpoints protect them, but rows deleted from the very end of a chain after its last checkpoint cannot be ruled out until the next tree head covers them.`,
      );
    }
    return {
      ok: problem === undefined,
      rows: this.#chains.rows,
      chains: this.#seen.size,
      checkpoints: this.#checkpointCount,
      tree: {
        size: this.#tree.size,
        treeHeads: this.#treeHeads,
        ...(newest ? { newest: { ...newest, ageMs: Math.max(0, now - newest.time) } } : {}),
        uncovered: this.#uncovered,
        against: this.#against.map(describe),
      },
      unverified,
      ...(problem ? { problem } : {}),
    };
  }

  async #loadKeys(): Promise<void> {
    for (const row of await this.#db.all(
      `SELECT chain_id, public_jwk FROM ${this.#ctx.tables.ledgerChains}`,
    )) {
      let key: PublicKey | undefined;
      try {
        key = importPublicKey(JSON.parse(text(row, "public_jwk")));
      } catch {
        key = undefined; // reported as a bad signature on what the chain signed
      }
      this.#keys.set(text(row, "chain_id"), key);
    }
  }

  async #loadCheckpoints(): Promise<void> {
    for (const row of await this.#db.all(
      `SELECT chain_id, seq, hash, time, signature FROM ${this.#ctx.tables.ledgerCheckpoints} ORDER BY chain_id, seq`,
    )) {
      const checkpoint: Checkpoint = {
        chainId: text(row, "chain_id"),
        seq: integer(row, "seq"),
        hash: text(row, "hash"),
        time: integer(row, "time"),
        signature: text(row, "signature"),
      };
      groupInto(this.#checkpoints, checkpoint.chainId, () => [] as Checkpoint[]).push(checkpoint);
      this.#checkpointCount++;
    }
  }

  /** Checks every tree head's signature and lines up the roots to recompute. */
  async #loadTreeHeads(): Promise<void> {
    for (const { head } of await loadTreeHeads(this.#ctx, this.#db)) {
      const key = this.#keys.get(head.signer);
      if (!key || !verifyTreeHeadSignature(head, key)) {
        throw new Broken({
          treeSize: head.treeSize,
          problem: "tree_head_signature",
          message: `The tree head of ${head.treeSize} rows is not signed by the key of writer ${head.signer}; it was forged or altered.`,
        });
      }
      this.#checks.push({ size: head.treeSize, root: head.rootHash, outside: false });
      this.#treeHeads++;
      this.#newest = describe(head);
    }
    for (const head of this.#against) {
      if (!verifyTreeHeadSignature(head)) {
        throw new Broken({
          treeSize: head.treeSize,
          problem: "tree_head_signature",
          message: `The tree head of ${head.treeSize} rows given from outside is not signed by the key it carries; that copy was altered.`,
        });
      }
      this.#checks.push({ size: head.treeSize, root: head.rootHash, outside: true });
    }
    this.#checks.sort((a, b) => a.size - b.size);
  }

  /** Every row the tree places; returns how far each chain is placed. */
  async #verifyTree(): Promise<Map<string, number>> {
    this.#checkRoots();
    const segments = await loadSegments(this.#ctx, this.#db);
    const placed =
      (await this.#verifyTreeInParallel(segments)) ?? (await this.#verifyTreeInOrder(segments));
    const beyond = this.#checks.find((check) => check.size > this.#tree.size);
    if (beyond) {
      throw new Broken({
        treeSize: beyond.size,
        problem: "tree_truncated",
        message: `A tree head ${beyond.outside ? "kept outside the store" : "in the store"} covers ${beyond.size} rows, but the ledger's tree holds only ${this.#tree.size}: rows or whole chains were deleted.`,
      });
    }
    return placed;
  }

  /**
   * A large tree in a file, checked a range at a time on worker threads.
   * Undefined when it cannot be, or when anything does not verify: then
   * the tree is verified row by row, which names the first problem.
   */
  async #verifyTreeInParallel(
    segments: readonly TreeSegment[],
  ): Promise<Map<string, number> | undefined> {
    const file = this.#ctx.driver.file;
    const size = segments.reduce((sum, segment) => sum + segment.rowCount, 0);
    if (!file || WORKERS < 2 || size < 2 * RANGE_LEAVES) return undefined;
    if (segments.some((segment) => !this.#keys.has(segment.chainId))) return undefined;
    const roots = new Map<number, string[]>();
    for (const check of this.#checks)
      groupInto(roots, check.size, () => [] as string[]).push(check.root);
    const tree = await checkTreeInParallel({
      file,
      ledgerTable: this.#ctx.tables.ledger,
      segments,
      roots,
      wanted: [...this.#checkpoints.values()]
        .flat()
        .map((point) => `${point.chainId} ${point.seq}`),
      workers: WORKERS,
      onRows: (rows) => this.#onProgress?.({ rows, total: this.#total }),
    });
    if (!tree || !this.#checkpointsHold(tree)) return undefined;
    // Verified: the rows after the tree continue from its end.
    this.#chains = new LedgerChainVerifier({ heads: tree.heads, rows: tree.size });
    this.#tree = new MerkleTreeBuilder({ size: tree.size, peaks: tree.peaks });
    this.#checks = this.#checks.filter((check) => check.size > tree.size);
    const placed = new Map<string, number>();
    for (const [chainId, head] of tree.heads) {
      this.#seen.add(chainId);
      placed.set(chainId, head.seq + 1);
      const list = this.#checkpoints.get(chainId);
      while (list?.[0] && list[0].seq <= head.seq) list.shift();
    }
    return placed;
  }

  /** Whether every checkpoint of the tree's rows is signed by its chain's key and matches its row. */
  #checkpointsHold(tree: CheckedTree): boolean {
    for (const [chainId, list] of this.#checkpoints) {
      const head = tree.heads.get(chainId);
      for (const checkpoint of list) {
        if (!head || checkpoint.seq > head.seq) break;
        const hash = tree.hashesAt.get(`${chainId} ${checkpoint.seq}`);
        if (hash !== checkpoint.hash || !this.#signed(checkpoint)) return false;
      }
    }
    return true;
  }

  /** Rows in the tree's order, segment by segment; returns how far each chain is placed. */
  async #verifyTreeInOrder(segments: readonly TreeSegment[]): Promise<Map<string, number>> {
    const placed = new Map<string, number>();
    const { ledger } = this.#ctx.tables;
    for (const segment of segments) {
      const at = this.#tree.size;
      const expectedSeq = placed.get(segment.chainId) ?? 1;
      if (segment.treeStart !== at || segment.firstSeq !== expectedSeq || segment.rowCount < 1) {
        throw new Broken({
          chainId: segment.chainId,
          seq: segment.firstSeq,
          treeSize: at,
          problem: "tree_segments",
          message:
            segment.treeStart !== at
              ? `The ledger's tree skips or repeats leaves at ${Math.min(at, segment.treeStart)}: its map of rows was edited, or a run of rows was removed from it.`
              : `The ledger's tree places rows of chain ${segment.chainId} out of order (from row ${segment.firstSeq}, expected ${expectedSeq}): its map of rows was edited.`,
        });
      }
      const end = segment.firstSeq + segment.rowCount;
      let next = segment.firstSeq;
      while (next < end) {
        const rows = await this.#db.values(
          `SELECT ${LEDGER_SELECT} FROM ${ledger} WHERE chain_id = ? AND seq >= ? AND seq < ? ORDER BY seq LIMIT ?`,
          [segment.chainId, next, end, PAGE],
        );
        // The chain verifier refuses a gap, so each row pushed is the next one.
        for (const values of rows) {
          this.#push(values);
          this.#tree.push(ledgerLeafHash(this.#row.hash));
          next++;
          this.#checkRoots();
        }
        this.#progress();
        if (rows.length < PAGE) break;
      }
      if (next < end) {
        throw new Broken({
          chainId: segment.chainId,
          seq: next,
          treeSize: segment.treeStart + (next - segment.firstSeq),
          problem: "missing_row",
          message: `Ledger chain ${segment.chainId}: row ${next} is in the ledger's tree (leaf ${segment.treeStart + (next - segment.firstSeq)}) but missing; rows were deleted.`,
        });
      }
      placed.set(segment.chainId, end);
    }
    return placed;
  }

  /** Every chain's rows after those the tree placed: checked by their chains alone. */
  async #verifyUncovered(placed: ReadonlyMap<string, number>): Promise<void> {
    const { ledger } = this.#ctx.tables;
    const chainIds = (
      await this.#db.all(`SELECT DISTINCT chain_id FROM ${ledger} ORDER BY chain_id`)
    ).map((row) => text(row, "chain_id"));
    for (const chainId of chainIds) {
      let next = placed.get(chainId) ?? 1;
      for (;;) {
        const rows = await this.#db.values(
          `SELECT ${LEDGER_SELECT} FROM ${ledger} WHERE chain_id = ? AND seq >= ? ORDER BY seq LIMIT ?`,
          [chainId, next, PAGE],
        );
        for (const values of rows) {
          this.#push(values);
          next = this.#row.seq + 1;
          this.#uncovered++;
        }
        this.#progress();
        if (rows.length < PAGE) break;
      }
    }
  }

  #progress(): void {
    this.#onProgress?.({ rows: this.#chains.rows, total: this.#total });
  }

  /** Checks one row's hash and chain link, and the checkpoints at it. */
  #push(values: readonly unknown[]): void {
    const row = this.#row;
    fillStoredRow(row, values);
    if (!this.#seen.has(row.chainId)) {
      if (!this.#keys.has(row.chainId)) {
        throw new Broken({
          chainId: row.chainId,
          seq: row.seq,
          id: row.id,
          problem: "unknown_chain",
          message: `Ledger chain ${row.chainId} has rows but no registered writer key; rows were inserted outside Writ.`,
        });
      }
      this.#seen.add(row.chainId);
    }
    const broken = this.#chains.pushStored(row);
    if (broken) throw new Broken(broken);
    const list = this.#checkpoints.get(row.chainId);
    while (list?.[0] && list[0].seq <= row.seq) {
      const checkpoint = list.shift() as Checkpoint;
      this.#checkSignature(checkpoint);
      if (checkpoint.seq === row.seq && checkpoint.hash !== row.hash) {
        throw new Broken({
          chainId: row.chainId,
          seq: row.seq,
          id: row.id,
          problem: "checkpoint_mismatch",
          message: `Ledger chain ${row.chainId}, row ${row.seq} (${row.id}): its hash differs from the signed checkpoint; the chain was rewritten.`,
        });
      }
    }
  }

  /** Compares the root with every tree head of the tree's current size. */
  #checkRoots(): void {
    while (this.#checks[0] && this.#checks[0].size <= this.#tree.size) {
      const check = this.#checks.shift() as RootCheck;
      if (this.#tree.root() !== check.root) {
        throw new Broken({
          treeSize: check.size,
          problem: "tree_mismatch",
          message: `The first ${check.size} rows of the ledger's tree do not hash to the root of the tree head ${check.outside ? "kept outside the store" : "in the store"}: rows were edited, reordered or removed before that point.`,
        });
      }
    }
  }

  #signed(checkpoint: Checkpoint): boolean {
    const key = this.#keys.get(checkpoint.chainId);
    return (
      key?.verify(
        checkpointSigningInput(checkpoint),
        Buffer.from(checkpoint.signature, "base64url"),
      ) ?? false
    );
  }

  #checkSignature(checkpoint: Checkpoint): void {
    if (this.#signed(checkpoint)) return;
    throw new Broken({
      chainId: checkpoint.chainId,
      seq: checkpoint.seq,
      problem: "checkpoint_signature",
      message: `Ledger chain ${checkpoint.chainId}: the checkpoint at row ${checkpoint.seq} is not signed by the chain's key; it was forged or altered.`,
    });
  }

  /** Checkpoints left once every row is read name rows that are gone. */
  #finishCheckpoints(): void {
    const heads = this.#chains.heads();
    for (const [chainId, list] of this.#checkpoints) {
      const beyond = list[0];
      if (!beyond) continue;
      this.#checkSignature(beyond);
      const lastSeq = heads.get(chainId)?.seq ?? 0;
      throw new Broken({
        chainId,
        seq: lastSeq + 1,
        problem: "truncated",
        message: `Ledger chain ${chainId}: rows from ${lastSeq + 1} on are missing, though a signed checkpoint covers row ${beyond.seq}; rows were deleted from the end.`,
      });
    }
  }
}

function describe(head: SignedTreeHead): VerifiedTreeHead {
  return {
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    time: head.time,
    signer: head.signer,
  };
}
