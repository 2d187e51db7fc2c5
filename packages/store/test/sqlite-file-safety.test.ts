import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { sqliteBackend } from "@writ/store";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const fingerprint = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/**
 * A store file is never silently replaced: what is not a Writ store is
 * refused, a missing store of a set-up project is not created anew, and a
 * read-only copy can be read (and verified) but never changed.
 */
describe("a SQLite store's file", () => {
  let folder: string;
  const cwd = process.cwd();
  const env = process.env.WRIT_DIR;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "writ-file-"));
    delete process.env.WRIT_DIR;
  });

  afterEach(() => {
    process.chdir(cwd);
    if (env === undefined) delete process.env.WRIT_DIR;
    else process.env.WRIT_DIR = env;
    rmSync(folder, { recursive: true, force: true });
  });

  it("that is empty is refused with store.corrupt and a pointer to backups, and left as it is", async () => {
    const path = join(folder, "writ.db");
    writeFileSync(path, "");
    const failure = await sqliteBackend({ path }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "store.corrupt" });
    expect((failure as Error).message).toContain(path);
    expect((failure as Error).message).toContain("backup");
    expect(statSync(path).size).toBe(0);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("that is not a database is refused, never replaced by a store with new issuer keys", async () => {
    const path = join(folder, "writ.db");
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const before = fingerprint(path);
    for (const readOnly of [false, true, "auto"] as const) {
      await expect(sqliteBackend({ path, readOnly })).rejects.toMatchObject({
        code: "store.corrupt",
        message: expect.stringContaining("backup"),
      });
    }
    expect(fingerprint(path)).toBe(before);
  });

  it("that is another application's SQLite database is refused, and gets no Writ tables", async () => {
    const path = join(folder, "app.db");
    const db = new Database(path);
    db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY)");
    db.close();
    await expect(sqliteBackend({ path })).rejects.toMatchObject({ code: "store.corrupt" });
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: "orders" },
    ]);
    check.close();
  });

  it("that is missing is refused with store.missing when it must exist, and not created", async () => {
    const path = join(folder, "gone.db");
    await expect(sqliteBackend({ path, create: false })).rejects.toMatchObject({
      code: "store.missing",
    });
    await expect(sqliteBackend({ path, readOnly: true })).rejects.toMatchObject({
      code: "store.missing",
    });
    expect(existsSync(path)).toBe(false);
  });

  it("of a set-up project that is missing is refused, not started again from empty", async () => {
    const project = join(folder, ".writ");
    const store = await sqliteBackend({ path: join(project, "writ.db") });
    await store.close();
    writeFileSync(
      join(project, "config.json"),
      JSON.stringify({ issuer: "writ", store: { kind: "sqlite", path: "writ.db" } }),
    );
    rmSync(join(project, "writ.db"));
    process.chdir(folder);
    await expect(sqliteBackend()).rejects.toMatchObject({ code: "store.missing" });
    expect(existsSync(join(project, "writ.db"))).toBe(false);
  });

  describe("opened for reading only", () => {
    async function backupOf() {
      const live = join(folder, "live.db");
      const store = await sqliteBackend({ path: live, checkpointEvery: 2 });
      await store.putUser({ id: "alice", permissions: "docs.read" });
      await store.putAgent({ id: "bot", policy: "docs.read" });
      await store.revoke({ kind: "agent", id: "bot", by: "ops" });
      await store.close();
      const backup = join(folder, "backup.db");
      copyFileSync(live, backup);
      chmodSync(backup, 0o444);
      return backup;
    }

    it("reads, queries, verifies and exports a read-only copy, and changes nothing in it", async () => {
      const backup = await backupOf();
      const before = fingerprint(backup);
      const store = await sqliteBackend({ path: backup, readOnly: true });
      expect(store.readOnly).toBe(true);
      expect((await store.listUsers()).items.map((user) => user.id)).toEqual(["alice"]);
      expect((await store.queryLedger({ kind: "revocation" })).records).toHaveLength(1);
      const verification = await store.verifyLedger();
      expect(verification).toMatchObject({ ok: true, rows: 3, tree: { size: 3 } });
      const lines: string[] = [];
      for await (const line of store.exportLedger("jsonl")) lines.push(line);
      expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
        typ: "writ-tree-head",
        treeSize: 3,
      });
      await store.close();
      expect(fingerprint(backup)).toBe(before);
      expect(existsSync(`${backup}-wal`)).toBe(false);
    });

    it("refuses every change with store.read_only", async () => {
      const store = await sqliteBackend({ path: await backupOf(), readOnly: true });
      for (const change of [
        () => store.putUser({ id: "mallory", permissions: "docs.read" }),
        () => store.revoke({ kind: "user", id: "alice" }),
        () => store.append([{ entry: { kind: "admin", time: 1 } }]),
        () => store.setUserPermissions("alice", "email.send"),
        () => store.rotateIssuerKey(),
      ]) {
        await expect(change()).rejects.toMatchObject({ code: "store.read_only" });
      }
      expect(await store.signTreeHead()).toMatchObject({ treeSize: 3 });
      await store.close();
    });

    it("is what a file without write permission opens as when asked for auto, and is refused as otherwise", async () => {
      const backup = await backupOf();
      await expect(sqliteBackend({ path: backup })).rejects.toMatchObject({
        code: "store.read_only",
      });
      const store = await sqliteBackend({ path: backup, readOnly: "auto" });
      expect(store.readOnly).toBe(true);
      await store.close();
      chmodSync(backup, 0o600);
      const writable = await sqliteBackend({ path: backup, readOnly: "auto" });
      expect(writable.readOnly).toBe(false);
      await writable.close();
    });
  });

  describe("found from code as the writ command finds it", () => {
    it("opens the project's store from anywhere inside the project, and signs as its issuer", async () => {
      const made = await sqliteBackend({ path: join(folder, ".writ", "writ.db"), issuer: "acme" });
      await made.putUser({ id: "alice", permissions: "docs.read" });
      await made.putAgent({ id: "bot", policy: "docs.read", keys: [] });
      await made.issuerKeys();
      await made.close();
      const deep = join(folder, "src", "agents");
      mkdirSync(deep, { recursive: true });
      process.chdir(deep);
      const found = await sqliteBackend();
      expect((await found.getUser("alice"))?.id).toBe("alice");
      expect((await found.issuerKeys()).issuer).toBe("acme");
      await found.close();
      expect(existsSync(join(deep, ".writ"))).toBe(false);
    });

    it("uses WRIT_DIR when it is set", async () => {
      const elsewhere = join(folder, "elsewhere");
      process.env.WRIT_DIR = elsewhere;
      process.chdir(folder);
      const store = await sqliteBackend();
      await store.close();
      expect(existsSync(join(elsewhere, "writ.db"))).toBe(true);
      expect(existsSync(join(folder, ".writ"))).toBe(false);
    });

    it("creates ./.writ/writ.db only where no project is found, with a warning that says where", async () => {
      const warnings: Error[] = [];
      const listen = (warning: Error) => warnings.push(warning);
      process.on("warning", listen);
      try {
        process.chdir(folder);
        const store = await sqliteBackend();
        await store.close();
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off("warning", listen);
      }
      const created = warnings.find(
        (warning) => (warning as Error & { code?: string }).code === "WRIT_NEW_STORE",
      );
      expect(created?.message).toContain(join(folder, ".writ", "writ.db"));
    });

    it("refuses to start a SQLite store in a project whose store is Postgres", async () => {
      mkdirSync(join(folder, ".writ"));
      writeFileSync(
        join(folder, ".writ", "config.json"),
        JSON.stringify({ issuer: "writ", store: { kind: "postgres", schema: "writ" } }),
      );
      process.chdir(folder);
      await expect(sqliteBackend()).rejects.toThrow(/PostgreSQL/);
      expect(existsSync(join(folder, ".writ", "writ.db"))).toBe(false);
    });
  });

  it("keeps signing as the issuer whose keys it holds when reopened without naming one", async () => {
    const store = await sqliteBackend({ path: join(folder, "a.db"), issuer: "acme" });
    await store.issuerKeys();
    await store.close();
    const again = await sqliteBackend({ path: join(folder, "a.db") });
    expect((await again.issuerKeys()).issuer).toBe("acme");
    await again.close();
  });

  it("opened while another connection holds its lock waits for the lock, rather than failing as busy", async () => {
    const path = join(folder, "shared.db");
    await (await sqliteBackend({ path })).close(); // left in rollback-journal mode, as a last store out leaves it
    // Another connection (a thread of its own, as another process would be) writes for a while.
    const holder = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       const db = new (require(workerData.driver))(workerData.path);
       db.exec("BEGIN IMMEDIATE");
       parentPort.postMessage("locked");
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       db.exec("COMMIT");
       db.close();`,
      {
        eval: true,
        workerData: { driver: createRequire(import.meta.url).resolve("better-sqlite3"), path },
      },
    );
    await once(holder, "message");
    const store = await sqliteBackend({ path });
    expect((await store.verifyLedger()).ok).toBe(true);
    await store.close();
    await once(holder, "exit");
  });
});
