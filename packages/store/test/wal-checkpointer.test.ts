import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { WalCheckpointer } from "../src/sql/wal-checkpointer.js";

/** A WAL database that never checkpoints by itself, as the store opens it. */
function walDatabase() {
  const path = join(mkdtempSync(join(tmpdir(), "writ-checkpoint-")), "writ.db");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  return { path, db };
}

describe("WalCheckpointer", () => {
  it("copies the WAL back into the database on its worker after a hundred commits, and stops on close", async () => {
    const { path, db } = walDatabase();
    const onFailure = vi.fn();
    const checkpointer = new WalCheckpointer(path, {
      synchronous: "full",
      busyTimeoutMs: 1000,
      onFailure,
    });
    const insert = db.prepare("INSERT INTO rows (body) VALUES (?)");
    const before = statSync(path).size;
    for (let commit = 0; commit < 99; commit++) {
      insert.run("x".repeat(2000));
      checkpointer.committed();
    }
    // Nothing asked yet: the rows are only in the WAL.
    expect(statSync(path).size).toBe(before);
    insert.run("x".repeat(2000));
    checkpointer.committed();
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 99 * 2000));
    await checkpointer.close();
    expect(onFailure).not.toHaveBeenCalled();
    expect(db.prepare("SELECT count(*) AS n FROM rows").get()).toEqual({ n: 100 });
    db.close();
  });

  it("starts the WAL over while commits keep coming, holding the commits (not the event loop) for the last pages", async () => {
    const { path, db } = walDatabase();
    const checkpointer = new WalCheckpointer(path, {
      synchronous: "normal",
      busyTimeoutMs: 1000,
      onFailure: vi.fn(),
    });
    // The store's commit queue, as the SQLite driver lends it to the checkpointer.
    let queue: Promise<void> = Promise.resolve();
    let held = 0;
    checkpointer.holdCommitsWith((work) => {
      held++;
      const run = queue.then(work);
      queue = run;
      return run;
    });
    const insert = db.prepare("INSERT INTO rows (body) VALUES (?)");
    const commits = 20_000; // a page each: without a restart the WAL would pass 20,000 pages
    for (let commit = 0; commit < commits; commit++) {
      await queue;
      insert.run("x".repeat(3000));
      checkpointer.committed();
      if (commit % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await checkpointer.close();
    expect(held).toBeGreaterThan(0);
    // The WAL file keeps its largest size: it started over well before holding every commit.
    expect(statSync(`${path}-wal`).size).toBeLessThan(commits * 4096 * 0.75);
    expect(db.prepare("SELECT count(*) AS n FROM rows").get()).toEqual({ n: commits });
    db.close();
  });

  it("hands checkpoints back to the connection when its worker cannot open the file", async () => {
    const onFailure = vi.fn();
    const checkpointer = new WalCheckpointer(join(tmpdir(), "writ-no-such-folder", "writ.db"), {
      synchronous: "normal",
      busyTimeoutMs: 0,
      onFailure,
    });
    for (let commit = 0; commit < 100; commit++) checkpointer.committed();
    await vi.waitFor(() => expect(onFailure).toHaveBeenCalledTimes(1));
    for (let commit = 0; commit < 200; commit++) checkpointer.committed();
    expect(onFailure).toHaveBeenCalledTimes(1);
    await checkpointer.close();
  });
});
