/**
 * Faults: a full disk, a slow store and a stalled live feed. Each fails closed
 * with its code, and calls go through again once the fault clears.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Backend, createAgentIdentity, createGuard, Session } from "@writ/core";
import { overrideBackend } from "@writ/core/testing";
import { postgresBackend, type StoreBackend, sqliteBackend } from "@writ/store";
import { describe, expect, it, vi } from "vitest";
import {
  createTestDatabase,
  requirePostgresUrl,
} from "../../packages/store/test/support/postgres-server.js";
import { startTcpProxy } from "../../packages/store/test/support/tcp-proxy.js";

/** A user, an agent and a guard on `guardBackend`, with `admin` holding the directory. */
async function scenario(
  admin: StoreBackend,
  guardBackend: Backend = admin,
  options: { maxStalenessMs?: number; backendDeadlineMs?: number } = {},
) {
  const agent = createAgentIdentity("agent");
  await admin.putUser({ id: "alice", permissions: "docs.read" });
  await admin.putAgent({ id: agent.id, policy: "docs.read", keys: [agent] });
  const session = new Session(
    agent,
    await admin.issue({ user: "alice", agent: agent.id, key: agent.thumbprint }),
  );
  const guard = await createGuard({
    backend: guardBackend,
    issuer: await admin.issuerKeys(),
    audience: "urn:writ:faults",
    ...options,
  });
  let calls = 0;
  const read = (tool: () => unknown = () => "contents") =>
    guard.run(
      guard.callFrom(session, {
        action: "docs.read",
        tool: "read_doc",
        args: { n: ++calls, padding: "x".repeat(2000) },
      }),
      tool,
    );
  return { guard, read };
}

/** The tiny filesystem CI mounts (.ci/run); locally, mount one and export it to run this. */
function requireTinyFilesystem(): string | undefined {
  const path = process.env.WRIT_TEST_TINY_FS;
  if (path) return path;
  if (process.env.CI)
    throw new Error(
      "CI must export WRIT_TEST_TINY_FS (a small tmpfs): the full-disk test cannot be skipped there.",
    );
  console.warn(
    "\n  ⚠ WRIT_TEST_TINY_FS is not set: the full-disk test did NOT run (see .ci/run).\n",
  );
  return undefined;
}

describe("faults", () => {
  const tinyFs = requireTinyFilesystem();
  it.runIf(tinyFs !== undefined)(
    "a full disk: decisions that cannot be written are refused, and calls resume when space returns",
    async () => {
      const directory = mkdtempSync(join(tinyFs as string, "full-"));
      const store = await sqliteBackend({ path: join(directory, "writ.db") });
      const { guard, read } = await scenario(store);
      expect((await read()).decision.effect).toBe("allow");

      const filler = join(directory, "filler");
      const fd = openSync(filler, "w");
      try {
        for (;;) writeSync(fd, Buffer.alloc(16 * 1024));
      } catch (error) {
        expect(error).toMatchObject({ code: "ENOSPC" });
      } finally {
        closeSync(fd);
      }
      const tool = vi.fn();
      const denied = await read(tool);
      expect(denied.decision).toMatchObject({ effect: "deny", code: "ledger.unavailable" });
      expect(tool).not.toHaveBeenCalled();

      rmSync(filler);
      expect((await read()).decision.effect).toBe("allow");
      expect(await store.verifyLedger()).toMatchObject({ ok: true });
      await guard.close();
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  );

  it("a slow store: the tool waits for its durable decision row, however long it takes", async () => {
    const store = await sqliteBackend({ path: ":memory:" });
    const slow = overrideBackend(store, {
      append: async (appends) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return store.append(appends);
      },
    });
    const { guard, read } = await scenario(store, slow);
    const result = await read(async () => {
      const decisions = (await store.queryLedger({ kind: "decision" })).records;
      return decisions.map((row) => row.decision);
    });
    expect(result).toMatchObject({ decision: { effect: "allow" }, output: ["allow"] });
    await guard.close();
    await store.close();
  });

  const serverUrl = requirePostgresUrl();
  it.runIf(serverUrl !== undefined)(
    "a stalled live feed: calls are refused once the view is stale, and allowed when the feed resumes",
    async () => {
      const database = await createTestDatabase(serverUrl as string, "faults");
      const direct = new URL(database.url);
      const proxy = await startTcpProxy({
        host: direct.hostname,
        port: Number(direct.port || 5432),
      });
      const proxied = new URL(database.url);
      proxied.port = String(proxy.port);
      const admin = await postgresBackend({ url: database.url });
      const store = await postgresBackend({ url: proxied.toString(), heartbeatMs: 50 });
      try {
        const { guard, read } = await scenario(admin, store, {
          maxStalenessMs: 300,
          backendDeadlineMs: 1000,
        });
        expect((await read()).decision.effect).toBe("allow");
        proxy.stall();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const tool = vi.fn();
        const stalled = await read(tool);
        expect(stalled.decision).toMatchObject({ effect: "deny", code: "live.stale" });
        expect(tool).not.toHaveBeenCalled();
        proxy.resume();
        const deadline = Date.now() + 10_000;
        let effect = stalled.decision.effect as string;
        while (effect !== "allow" && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          effect = (await read()).decision.effect;
        }
        expect(effect).toBe("allow");
        await guard.close();
      } finally {
        proxy.resume();
        await store.close();
        await admin.close();
        await proxy.cut();
        await database.drop();
      }
    },
    40_000,
  );
});
