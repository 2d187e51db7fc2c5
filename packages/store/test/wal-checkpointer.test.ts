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
