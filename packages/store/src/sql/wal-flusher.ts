import { type FileHandle, open } from "node:fs/promises";

/**
 * Makes an SQLite write-ahead log durable off the event loop. The store
 * commits at synchronous=NORMAL (no fsync on the thread that runs every
 * guard), then awaits flush(): an fdatasync of the WAL on libuv's thread
 * pool. A flush writes out every frame the WAL received before it began, so
 * one flush serves every commit made while the previous one ran (group
 * commit); a checkpoint syncs the database file itself at NORMAL. A commit
 * whose flush has resolved is as durable as one made at synchronous=FULL.
 *
 * A failed fdatasync is final: the kernel reports a lost write-back once, and
 * a later sync that succeeds says nothing of the frames that were lost, so a
 * crash could cut the log before commits it calls durable. Every flush after
 * one fails rejects with that failure until the store is reopened.
 */
export class WalFlusher {
  readonly #path: string;
  #file: Promise<FileHandle> | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #syncFailure: { readonly error: unknown } | undefined;

  /** `database`: the database file; its WAL is the file beside it with `-wal` appended. */
  constructor(database: string) {
    this.#path = `${database}-wal`;
  }

  /** A sync of the log failed: no commit after it can be made durable by this flusher. */
  get syncFailed(): boolean {
    return this.#syncFailure !== undefined;
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
    if (this.#syncFailure) return Promise.reject(this.#syncFailure.error);
    const file = this.#file ?? open(this.#path, "r+");
    this.#file = file;
    // A WAL that could not be opened is tried again by the next flush.
    file.catch(() => {
      if (this.#file === file) this.#file = undefined;
    });
    const run = file
      .then((handle) =>
        handle.datasync().catch((error: unknown) => {
          this.#syncFailure ??= { error };
          throw error;
        }),
      )
      .finally(() => {
        if (this.#running === run) this.#running = undefined;
      });
    this.#running = run;
    return run;
  }
}
