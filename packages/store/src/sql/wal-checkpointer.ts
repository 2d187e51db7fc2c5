import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** Write commits between two checkpoints: about 800 pages of the ledger's rows and indexes. */
const COMMITS_PER_CHECKPOINT = 100;

/** Past this many pages (SQLite's default checkpoint size) the WAL is made to start over. */
const RESTART_PAGES = 1000;

/**
 * The worker: its own connection to the file, which copies the WAL into the
 * database and syncs both when asked. After each pass it writes the WAL's
 * size into `progress` and counts the pass there, so the store sees a pass
 * end at its next commit, without waiting for its event loop (a store busy
 * with promises alone may not turn it for a long time), and it posts the
 * error a pass failed with, if any. Plain CommonJS run by `eval`, so it needs
 * no loader whichever way the store itself was loaded.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
db.pragma("synchronous = " + workerData.synchronous);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const progress = new Int32Array(workerData.progress);
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  let pages = 0;
  let failure = null;
  try {
    pages = checkpoint.get().log;
  } catch (error) {
    failure = String(error && error.message);
  }
  Atomics.store(progress, 1, pages);
  Atomics.add(progress, 0, 1);
  parentPort.postMessage(failure);
});
`;

/** Runs `work` while the store's connection begins no transaction (its commits wait; the event loop does not). */
export type HoldCommits = (work: () => Promise<void>) => Promise<void>;

/**
 * Checkpoints an SQLite write-ahead log on a worker thread. SQLite's own
 * automatic checkpoint runs inside the commit that crosses its threshold, on
 * the thread that runs every guard: it writes a thousand pages back and
 * syncs the database file, a stall of milliseconds for whichever decision or
 * revocation commits then. Here, every hundred write commits, this worker
 * runs a passive checkpoint, which never blocks a writer and copies most
 * pages back off the event loop. A passive checkpoint seldom catches up with
 * a busy writer, and the WAL starts over only when a commit begins with
 * every page copied back: so once the WAL has passed a thousand pages, the
 * store's commits wait (in its queue, the event loop free) while the worker
 * copies the few pages left and syncs, and the next commit starts the WAL
 * over. The connection's own automatic checkpoint stays on only as a
 * backstop far past that. The worker starts on first use, so a store that
 * writes little never starts one.
 */
export class WalCheckpointer {
  readonly #path: string;
  readonly #synchronous: string;
  readonly #busyTimeoutMs: number;
  readonly #onFailure: () => void;
  /** [passes finished, the WAL's size in pages after the last], written by the worker. */
  readonly #progress = new Int32Array(new SharedArrayBuffer(8));
  #holdCommits: HoldCommits | undefined;
  #worker: Worker | undefined;
  #asked = 0;
  #seen = 0;
  /** Replies the worker has posted: one a pass. */
  #replies = 0;
  /** Ends the wait for the pass the store's commits are held for, once its reply is in. */
  #passed: { readonly pass: number; readonly resolve: () => void } | undefined;
  #holding = false;
  #commits = 0;
  #failed = false;

  /** `onFailure`: the worker could not run; the connection should checkpoint itself again. */
  constructor(
    path: string,
    options: { synchronous: "full" | "normal"; busyTimeoutMs: number; onFailure: () => void },
  ) {
    this.#path = path;
    this.#synchronous = options.synchronous.toUpperCase();
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#onFailure = options.onFailure;
  }

  /** How the store's connection holds its commits back while the last pages are copied; without it the WAL starts over only at the backstop. */
  holdCommitsWith(hold: HoldCommits): void {
    this.#holdCommits = hold;
  }

  /** Counts a write commit; asks for a checkpoint once enough have gone into the WAL. */
  committed(): void {
    if (this.#failed || this.#holding) return;
    this.#commits++;
    const finished = Atomics.load(this.#progress, 0);
    if (finished !== this.#asked) return; // the worker is still copying
    if (finished !== this.#seen) {
      this.#seen = finished;
      const hold = this.#holdCommits;
      if (hold !== undefined && Atomics.load(this.#progress, 1) >= RESTART_PAGES) {
        void this.#finish(hold);
        return;
      }
    }
    if (this.#commits < COMMITS_PER_CHECKPOINT) return;
    this.#commits = 0;
    this.#ask();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.ref(); // the store's close waits for it
    worker.postMessage("close");
    await exited;
    this.#passed?.resolve();
  }

  /** Holds the store's commits for one more pass, which copies what is left: the next commit starts the WAL over. */
  async #finish(hold: HoldCommits): Promise<void> {
    this.#holding = true;
    try {
      await hold(
        () =>
          new Promise<void>((resolve) => {
            if (!this.#ask()) return resolve();
            this.#passed = { pass: this.#asked, resolve };
          }),
      );
    } catch {
      // the store closed meanwhile
    } finally {
      this.#passed = undefined;
      this.#seen = this.#asked;
      this.#commits = 0;
      this.#holding = false;
    }
  }

  #ask(): boolean {
    const worker = this.#start();
    if (worker === undefined) return false;
    this.#asked++;
    worker.postMessage("checkpoint");
    return true;
  }

  #start(): Worker | undefined {
    if (this.#failed) return undefined;
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path: this.#path,
        synchronous: this.#synchronous,
        busyTimeoutMs: this.#busyTimeoutMs,
        progress: this.#progress.buffer,
      },
    });
    // A checkpoint in progress when the process exits is safe to abandon: SQLite resumes it.
    worker.unref();
    worker.on("message", (failure: string | null) => {
      // A busy file (another process checkpointing) is tried again after the next hundred commits.
      if (failure !== null && !failure.includes("busy") && !failure.includes("locked"))
        this.#fail();
      if (++this.#replies === this.#passed?.pass) this.#passed.resolve();
    });
    worker.on("error", () => this.#fail());
    this.#worker = worker;
    return worker;
  }

  #fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    void this.#worker?.terminate();
    this.#worker = undefined;
    this.#passed?.resolve();
    this.#onFailure();
  }
}
