import { fdatasyncSync, mkdtempSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { WalFlusher } from "../src/sql/wal-flusher.js";

vi.mock("node:fs", async (original) => {
  const fs = await original<typeof import("node:fs")>();
  return { ...fs, fdatasyncSync: vi.fn(fs.fdatasyncSync) };
});

function database(): string {
  return join(mkdtempSync(join(tmpdir(), "writ-wal-")), "writ.db");
}

describe("WalFlusher", () => {
  it("shares one flush among every commit made while the previous flush runs", async () => {
    const path = database();
    writeFileSync(`${path}-wal`, "frames");
    const flusher = new WalFlusher(path);
    const first = flusher.flush();
    const second = flusher.flush();
    const third = flusher.flush();
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    // Nothing runs any more: the next commit starts a flush of its own.
    const fourth = flusher.flush();
    expect(fourth).not.toBe(second);
    await fourth;
    await flusher.close();
  });

  it("rejects a flush it cannot do, and tries again on the next", async () => {
    const path = database();
    const flusher = new WalFlusher(path);
    await expect(flusher.flush()).rejects.toMatchObject({ code: "ENOENT" });
    writeFileSync(`${path}-wal`, "frames");
    await expect(flusher.flush()).resolves.toBeUndefined();
    await flusher.close();
  });

  it("refuses every flush after a sync failed: a later sync cannot vouch for the frames it lost", async () => {
    const path = database();
    writeFileSync(`${path}-wal`, "frames");
    const probe = await open(`${path}-wal`, "r");
    const handles = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const lost = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    const datasync = vi.spyOn(handles, "datasync").mockRejectedValueOnce(lost);
    const flusher = new WalFlusher(path);
    try {
      await expect(flusher.flush()).rejects.toBe(lost);
      expect(flusher.syncFailed).toBe(true);
      await expect(flusher.flush()).rejects.toBe(lost);
      expect(datasync).toHaveBeenCalledTimes(1);
    } finally {
      datasync.mockRestore();
      await flusher.close();
    }
  });

  it("syncs a lone commit on the calling thread, and a pipelined one on the thread pool", async () => {
    const path = database();
    writeFileSync(`${path}-wal`, "frames");
    const flusher = new WalFlusher(path);
    await flusher.flush(); // opens the log
    const onThisThread = vi.mocked(fdatasyncSync);
    onThisThread.mockClear();
    await flusher.flush(false);
    expect(onThisThread).toHaveBeenCalledTimes(1);
    // While a flush runs, a lone commit joins the next one rather than sync beside it.
    const running = flusher.flush(true);
    const joined = flusher.flush(false);
    await Promise.all([running, joined]);
    expect(onThisThread).toHaveBeenCalledTimes(1);
    await flusher.close();
  });

  it("refuses every flush after a sync on the calling thread failed", async () => {
    const path = database();
    writeFileSync(`${path}-wal`, "frames");
    const flusher = new WalFlusher(path);
    await flusher.flush();
    const lost = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    vi.mocked(fdatasyncSync).mockImplementationOnce(() => {
      throw lost;
    });
    await expect(flusher.flush(false)).rejects.toBe(lost);
    expect(flusher.syncFailed).toBe(true);
    await expect(flusher.flush(false)).rejects.toBe(lost);
    await expect(flusher.flush(true)).rejects.toBe(lost);
    await flusher.close();
  });
});
