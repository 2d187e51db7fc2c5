import { type FSWatcher, watch } from "node:fs";
import { type RevocationKind, WritError } from "@writ/core";
import type { LiveChange, LiveSink, LiveWatch } from "@writ/core/backend";
import { json } from "../sql/row-values.js";
import type { CommitWatcher } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import type { LiveChangeLog } from "./live-change-log.js";

export interface EmbeddedLiveFeedOptions {
  /** How often the commit watcher looks for other processes' commits, in ms, where the file system cannot announce them. */
  readonly pollMs: number;
}

/** A decision catches up itself at most this often; the poll covers the time between. */
const CATCH_UP_EVERY_MS = 1;
/**
 * Looks again this soon after the last file change of a burst: a commit
 * writes its log frames (each noticed) just before it publishes them (the
 * version moves), so the look at a frame's write can be too early.
 */
const SETTLE_MS = 2;
/** Where file changes are announced, the poll only backs them up. */
const BACKSTOP_MS = 50;
const CATCH_UP_PAGE = 1000;
/** How soon a failed watcher is opened again. */
const RETRY_MS = 200;

/**
 * The live feed of an embedded (SQLite) store. Changes this process commits
 * reach every sink synchronously right after their transaction commits,
 * before the call that made them resolves. Changes other processes commit to
 * the same file (the CLI, another app, `writ serve`) are found by a commit
 * watcher: a read-only connection whose PRAGMA data_version moves whenever
 * another connection commits, checked when the file system announces a
 * write to the file commits write (and again SETTLE_MS later, unless the
 * write came with this process's own commit alone), by a backstop
 * poll, and by each decision (catchUp), which then reads the change log from
 * the last sequence number it delivered. Where the file system announces
 * nothing, the poll runs every `pollMs`. The log is read only when the store's
 * own writing connection sees another connection's commit, so this process's
 * commits (which also wake the watcher) cost no read. Changes reach the sinks
 * in sequence order. A watcher that fails faults every sink: guards fail closed.
 */
export class EmbeddedLiveFeed {
  readonly #sinks = new Set<LiveSink>();
  readonly #ctx: StoreContext;
  readonly #log: LiveChangeLog;
  readonly #options: EmbeddedLiveFeedOptions;
  #watcher: CommitWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Announces changes to the database's files, where the file system can. */
  #files: FSWatcher | undefined;
  #settle: NodeJS.Timeout | undefined;
  /** Every change up to here reached every sink. */
  #seq = -1;
  #version = -1;
  #othersVersion: number | undefined;
  /** The writing connection's commits when the file last changed. */
  #ownCommits: number | undefined;
  #lastLook = Number.NEGATIVE_INFINITY;
  #failed: Error | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(ctx: StoreContext, log: LiveChangeLog, options: EmbeddedLiveFeedOptions) {
    this.#ctx = ctx;
    this.#log = log;
    this.#options = options;
  }

  /** Called right after a commit in this process, with its changes, in sequence order. */
  deliver(changes: readonly LiveChange[]): void {
    // Another process's earlier changes first: read from the log if anyone else committed.
    if (this.#watcher) this.#catchUp(true);
    for (const change of changes) this.#send(change);
  }

  revocationPending(kind: RevocationKind, id: string): void {
    for (const sink of this.#sinks) sink.revocationPending?.(kind, id);
  }

  revocationWithdrawn(kind: RevocationKind, id: string): void {
    for (const sink of this.#sinks) sink.revocationWithdrawn?.(kind, id);
  }

  async watch(sink: LiveSink): Promise<LiveWatch> {
    if (this.#closed) throw new TypeError("This backend is closed.");
    this.#startWatcher();
    await this.#join(sink);
    return {
      synchronous: true,
      ...(this.#watcher ? { catchUp: () => this.#catchUp(false) } : {}),
      resync: () => {
        this.#join(sink).catch((error: unknown) => sink.fault(asError(error)));
      },
      close: async () => {
        this.#sinks.delete(sink);
      },
    };
  }

  /** Stops watching (a guard's next decision then fails on the closed ledger). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopWatching();
    clearTimeout(this.#retry);
    this.#sinks.clear();
  }

  /** Sends the sink a snapshot read in a transaction, so no change commits between it and the sink joining. */
  #join(sink: LiveSink): Promise<void> {
    return this.#ctx.driver.transaction(async (tx) => {
      const snapshot = await this.#log.snapshot(tx);
      sink.snapshot(snapshot);
      // The first sink sets where the feed stands; later ones treat what they already have as seen.
      if (this.#sinks.size === 0) this.#seq = snapshot.seq;
      this.#sinks.add(sink);
    });
  }

  #startWatcher(): void {
    if (this.#watcher || this.#failed) return;
    this.#watcher = this.#ctx.driver.watchCommits?.();
    if (!this.#watcher) return;
    this.#files = this.#watchFiles();
    const every = this.#files ? Math.max(BACKSTOP_MS, this.#options.pollMs) : this.#options.pollMs;
    this.#timer = setInterval(() => this.#catchUp(true), every).unref();
  }

  /**
   * Watches the file every commit writes (the WAL; the database itself
   * without one): a commit elsewhere wakes this process at once, and an idle
   * one is not woken a few hundred times a second, nor by writes to other
   * files beside it (another store in the same folder). Undefined where the
   * file system cannot announce changes; then the poll does it all.
   */
  #watchFiles(): FSWatcher | undefined {
    const file = this.#watcher?.commitFile;
    if (!file) return undefined;
    try {
      const files = watch(file, { persistent: false }, (event) => {
        // The file was removed or replaced: watch whatever is at its path now.
        if (event === "rename") return this.#announcementsStopped(files);
        const own = this.#ownCommitSince();
        const othersBefore = this.#othersVersion;
        // A look that finds the version unchanged costs one PRAGMA: not worth throttling.
        this.#catchUp(true);
        // The change came with this store's own commit, whose changes reached the sinks as it
        // committed, and nobody else's: no second look. (Should another process's commit, still
        // unpublished, have written in the same instant, its next write, the next decision or
        // the backstop poll finds it.)
        if (own && this.#othersVersion === othersBefore) return;
        this.#settle ??= setTimeout(() => {
          this.#settle = undefined;
          this.#catchUp(true);
        }, SETTLE_MS).unref();
        this.#settle.refresh();
      });
      files.on("error", () => this.#announcementsStopped(files));
      return files;
    } catch {
      return undefined;
    }
  }

  /** A file watch ended: a new one on the same path, else the poll at the full rate. */
  #announcementsStopped(files: FSWatcher): void {
    files.close();
    if (this.#files !== files) return;
    this.#files = this.#watchFiles();
    if (this.#files) return;
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#catchUp(true), this.#options.pollMs).unref();
  }

  /** Whether the store's own writing connection committed since the last file change. */
  #ownCommitSince(): boolean {
    const commits = this.#watcher?.ownCommits();
    const since = commits !== this.#ownCommits;
    this.#ownCommits = commits;
    return since;
  }

  #stopWatching(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#settle);
    this.#settle = undefined;
    this.#files?.close();
    this.#files = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** After a failure: a new watcher, and a fresh snapshot for every sink, which lifts their fault. */
  #recover(): void {
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      this.#failed = undefined;
      try {
        this.#startWatcher();
      } catch (error) {
        this.#fail(asError(error));
        return;
      }
      const sinks = [...this.#sinks];
      this.#sinks.clear();
      for (const sink of sinks)
        this.#join(sink).catch((error: unknown) => sink.fault(asError(error)));
    }, RETRY_MS);
    this.#retry.unref();
  }

  /**
   * Delivers every change committed since the last look, if the watcher's
   * version moved. `now`: look even if a decision just did. Returns false
   * when the watcher cannot read, after faulting every sink.
   */
  #catchUp(now: boolean): boolean {
    const watcher = this.#watcher;
    if (this.#failed) return false;
    if (!watcher || this.#sinks.size === 0) return true;
    const at = performance.now();
    if (!now && at - this.#lastLook < CATCH_UP_EVERY_MS) return true;
    this.#lastLook = at;
    try {
      // Only this store's own commits since the last look: its changes reached the sinks as they committed.
      const others = watcher.othersVersion();
      if (others !== undefined && others === this.#othersVersion) return true;
      const version = watcher.version();
      // Noted before reading: a commit after these reads moves the versions again.
      this.#othersVersion = others;
      if (version === this.#version) return true;
      this.#version = version;
      for (;;) {
        const rows = watcher.all(
          `SELECT change_json FROM ${this.#ctx.tables.liveChanges} WHERE seq > ? ORDER BY seq LIMIT ?`,
          [this.#seq, CATCH_UP_PAGE],
        );
        for (const row of rows) this.#send(json(row, "change_json") as LiveChange);
        if (rows.length < CATCH_UP_PAGE) return true;
      }
    } catch (error) {
      this.#fail(asError(error));
      return false;
    }
  }

  #send(change: LiveChange): void {
    if (change.seq <= this.#seq) return;
    // A sink that finds a gap asks for a snapshot itself (LiveView).
    for (const sink of this.#sinks) sink.change(change);
    this.#seq = change.seq;
  }

  /** The watcher broke: fail closed until a new one has caught every sink up. */
  #fail(error: Error): void {
    this.#stopWatching();
    const fault = new WritError(
      "store.unavailable",
      "The live feed's commit watcher stopped reading the SQLite file; guards refuse calls until it is back.",
      {},
      error,
    );
    this.#failed = fault;
    for (const sink of this.#sinks) sink.fault(fault);
    this.#recover();
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
