import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startRemoteGuard } from "./support/remote-guard-process.js";

const CHANGE = fileURLToPath(new URL("./fixtures/sqlite-change.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Runs one change to the store in a process of its own, to completion. */
async function inAnotherProcess(path: string, change: object): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    ["--conditions=@writ/source", "--import", "tsx", CHANGE, path, JSON.stringify(change)],
    { cwd: ROOT },
  );
}

/**
 * Two real OS processes on one SQLite file, no server: every committed change
 * reaches a guard in the other process (the commit watcher), through the same
 * feed that carries this process's own changes.
 */
describe("live state across processes on one SQLite file", { timeout: 60_000 }, () => {
  let folder: string;
  let path: string;
  let store: StoreBackend;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "writ-cross-"));
    path = join(folder, "writ.db");
    store = await sqliteBackend({ path });
  });

  afterEach(async () => {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function world() {
    const agents = ["bot", "helper"].map((id) => createAgentIdentity(id));
    await store.putUser({ id: "alice", permissions: "docs.read; email.send" });
    await store.putUser({ id: "bob", permissions: "docs.read" });
    for (const agent of agents)
      await store.putAgent({ id: agent.id, policy: "docs.read; email.send", keys: [agent] });
    const guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:cross",
    });
    const session = async (user: string, agent: number) =>
      new Session(
        agents[agent] as (typeof agents)[number],
        await store.issue({ user, agent: (agents[agent] as (typeof agents)[number]).id }),
      );
    return { guard, session, bot: agents[0] as (typeof agents)[number] };
  }

  it("refuses at its next decision what another process revoked or withdrew, without a restart", async () => {
    const { guard, session } = await world();
    const alice = await session("alice", 0);
    const bob = await session("bob", 1);
    const call = (who: Session, action: string) =>
      guard.authorize(guard.callFrom(who, { action, tool: "t", args: {} }));
    expect((await call(alice, "email.send")).effect).toBe("allow");
    expect((await call(bob, "docs.read")).effect).toBe("allow");

    await inAnotherProcess(path, { permissions: ["alice", "docs.read"] });
    expect(await call(alice, "email.send")).toMatchObject({
      effect: "deny",
      code: "live.permission_denied",
    });
    expect((await call(alice, "docs.read")).effect).toBe("allow");

    await inAnotherProcess(path, { revoke: { kind: "agent", id: "helper" } });
    expect(await call(bob, "docs.read")).toMatchObject({ effect: "deny", code: "revoked.agent" });
    expect(guard.canUse(bob.writ.toString(), "docs.read")).toBe(false);

    // This process's own changes keep arriving in order with the other's.
    await store.revoke({ kind: "user", id: "alice" });
    expect(await call(alice, "docs.read")).toMatchObject({ effect: "deny", code: "revoked.user" });
    await guard.close();
  });

  it("pushes another process's revocation to a waiting guard within milliseconds, no decision needed", async () => {
    const { guard, session, bot } = await world();
    const alice = await session("alice", 0);
    const remote = await startRemoteGuard({ path });
    try {
      for (const kind of ["hop", "agent"] as const) {
        const writ = kind === "hop" ? alice.writ : await store.issue({ user: "bob", agent: "bot" });
        const { armed, revoked } = remote.watch(writ, bot, "docs.read");
        await armed;
        await store.revoke({ kind, id: kind === "hop" ? writ.root.claims.jti : "bot" });
        expect((await revoked).code).toBe(`revoked.${kind}`);
      }
    } finally {
      await remote.close();
      await guard.close();
    }
  });

  it("fails closed while its commit watcher cannot read what another connection committed, and recovers", async () => {
    const { guard, session } = await world();
    const alice = await session("alice", 0);
    const call = () =>
      guard.authorize(guard.callFrom(alice, { action: "docs.read", tool: "t", args: {} }));
    expect((await call()).effect).toBe("allow");
    // Another connection commits a change the watcher cannot read: its change log is gone.
    const other = new Database(path);
    other.exec("ALTER TABLE writ_live_changes RENAME TO writ_live_changes_away");
    try {
      expect(await call()).toMatchObject({ effect: "deny", code: "live.unavailable" });
    } finally {
      other.exec("ALTER TABLE writ_live_changes_away RENAME TO writ_live_changes");
      other.close();
    }
    await vi.waitFor(async () => expect((await call()).effect).toBe("allow"), {
      timeout: 10_000,
      interval: 50,
    });
    await guard.close();
  });
});
