import { fdatasyncSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/**
 * Makes an SQLite write-ahead log durable. The store commits at
 * synchronous=NORMAL, then flushes: an fdatasync of the WAL, which writes out
 * every frame the WAL received before it began. A commit that more writes
 * wait behind is flushed on libuv's thread pool, so they commit meanwhile and
 * one flush serves every commit made while the previous one ran (group
 * commit). A lone commit is flushed on the calling thread, as SQLite's own
 * synchronous=FULL would: nothing could commit meanwhile, and handing the sync
 * to the thread pool and back costs a sequential caller more than the sync.
 * A checkpoint syncs the database file itself at NORMAL. A commit whose flush
 * has resolved is as durable as one made at synchronous=FULL.
 *
 * A failed fdatasync is final: the kernel reports a lost write-back once, and
 * a later sync that succeeds says nothing of the frames that were lost, so a
 * crash could cut the log before commits it calls durable. Every flush after
 * one fails rejects with that failure until the store is reopened.
 */
export class WalFlusher {
  readonly #path: string;
  #file: Promise<FileHandle> | undefined;
  /** The log's handle once open: what a flush on the calling thread syncs. */
  #opened: FileHandle | undefined;
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

  /**
   * Resolves once every commit made before the call is on disk. `pipelined`:
   * more commits wait behind the caller's, so the sync runs off this thread
   * while they are made; otherwise, unless a flush is already running, it
   * runs here and now.
   */
  flush(pipelined = true): Promise<void> {
    if (this.#running === undefined) {
      return !pipelined && this.#opened !== undefined
        ? this.#syncHere(this.#opened)
        : this.#start();
    }
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
    this.#opened = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  #syncHere(handle: FileHandle): Promise<void> {
    if (this.#syncFailure) return Promise.reject(this.#syncFailure.error);
    try {
      fdatasyncSync(handle.fd);
      return Promise.resolve();
    } catch (error) {
      this.#syncFailure = { error };
      return Promise.reject(error);
    }
  }

  #start(): Promise<void> {
    if (this.#syncFailure) return Promise.reject(this.#syncFailure.error);
    const file = this.#file ?? open(this.#path, "r+");
    this.#file = file;
    // A WAL that could not be opened is tried again by the next flush.
    file.then(
      (handle) => {
        if (this.#file === file) this.#opened = handle;
      },
      () => {
        if (this.#file === file) this.#file = undefined;
      },
    );
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
