import { mkdtempSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { WalFlusher } from "../src/sql/wal-flusher.js";

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
});
