import { type FileHandle, open } from "node:fs/promises";

/**
 * Makes an SQLite write-ahead log durable off the event loop. The store
 * commits at synchronous=NORMAL (no fsync on the thread that runs every
 * guard), then awaits flush(): an fdatasync of the WAL on libuv's thread
 * pool. A flush writes out every frame the WAL received before it began, so
 * one flush serves every commit made while the previous one ran (group
 * commit); a checkpoint syncs the database file itself at NORMAL. A commit
 * whose flush has resolved is as durable as one made at synchronous=FULL.
 */
export class WalFlusher {
  readonly #path: string;
  #file: Promise<FileHandle> | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  /** `database`: the database file; its WAL is the file beside it with `-wal` appended. */
  constructor(database: string) {
    this.#path = `${database}-wal`;
  }

  /** Resolves once every commit made before the call is on disk. */
  flush(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    // The running flush may have begun before the caller's commit: the next one is shared by all who wait now.
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#start();
      });
    return this.#queued;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#running, this.#queued]);
    const file = this.#file;
    this.#file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  #start(): Promise<void> {
    const file = this.#file ?? open(this.#path, "r+");
    this.#file = file;
    // A WAL that could not be opened is tried again by the next flush.
    file.catch(() => {
      if (this.#file === file) this.#file = undefined;
    });
    const run = file
      .then((handle) => handle.datasync())
      .finally(() => {
        if (this.#running === run) this.#running = undefined;
      });
    this.#running = run;
    return run;
  }
}
