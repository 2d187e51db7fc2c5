import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** Write commits between two checkpoints: about 800 pages of the ledger's rows and indexes. */
const COMMITS_PER_CHECKPOINT = 100;

/**
 * The worker: its own connection to the file, which copies the WAL into the
 * database and syncs both when asked. Plain CommonJS run by `eval`, so it
 * needs no loader whichever way the store itself was loaded.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = " + workerData.busyTimeoutMs);
db.pragma("synchronous = " + workerData.synchronous);
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage(null);
  } catch (error) {
    parentPort.postMessage(String(error && error.message));
  }
});
`;

/**
 * Checkpoints an SQLite write-ahead log on a worker thread. SQLite's own
 * automatic checkpoint runs inside the commit that crosses its threshold, on
 * the thread that runs every guard: it writes a thousand pages back and
 * syncs the database file, a stall of milliseconds for whichever decision or
 * revocation commits then. Here, every hundred write commits, this worker
 * runs a passive checkpoint, which never blocks a writer and copies most
 * pages back off the event loop; the store's connection checkpoints only at
 * twice SQLite's usual WAL size, to copy the rest and let the WAL restart
 * (a passive checkpoint seldom catches up with a busy writer). The worker
 * starts on first use, so a store that writes little never starts one.
 */
export class WalCheckpointer {
  readonly #path: string;
  readonly #synchronous: string;
  readonly #busyTimeoutMs: number;
  readonly #onFailure: () => void;
  #worker: Worker | undefined;
  #commits = 0;
  #running = false;
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

  /** Counts a write commit; asks for a checkpoint once enough have gone into the WAL. */
  committed(): void {
    if (this.#failed || ++this.#commits < COMMITS_PER_CHECKPOINT || this.#running) return;
    this.#commits = 0;
    this.#running = true;
    this.#start().postMessage("checkpoint");
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker === undefined) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.ref(); // the store's close waits for it
    worker.postMessage("close");
    await exited;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path: this.#path,
        synchronous: this.#synchronous,
        busyTimeoutMs: this.#busyTimeoutMs,
      },
    });
    // A checkpoint in progress when the process exits is safe to abandon: SQLite resumes it.
    worker.unref();
    worker.on("message", (failure: string | null) => {
      this.#running = false;
      // A busy file (another process checkpointing) is tried again after the next hundred commits.
      if (failure !== null && !failure.includes("busy") && !failure.includes("locked"))
        this.#fail();
    });
    worker.on("error", () => this.#fail());
    this.#worker = worker;
    return worker;
  }

  #fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#running = false;
    void this.#worker?.terminate();
    this.#worker = undefined;
    this.#onFailure();
  }
}
