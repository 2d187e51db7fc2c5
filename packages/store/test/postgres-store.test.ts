import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAgentIdentity, createGuard, type Guard, Session } from "@writ/core";
import { grantPostgresWriter, postgresBackend, type StoreBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import {
  type AuditAtomicityOptions,
  auditAtomicityCases,
  postgresAuditRefusal,
} from "./support/audit-atomicity-cases.js";
import { budgetReleaseCases } from "./support/budget-release-cases.js";
import { ledgerTreeCases } from "./support/ledger-tree-cases.js";
import { localRevocationCases } from "./support/local-revocation-cases.js";
import { createTestDatabase, requirePostgresUrl, withClient } from "./support/postgres-server.js";
import { startRemoteGuard } from "./support/remote-guard-process.js";
import {
  LEDGER_TABLES,
  type TamperOptions,
  tamperCases,
  treeTamperCases,
} from "./support/tamper-cases.js";
import { startTcpProxy } from "./support/tcp-proxy.js";

const serverUrl = requirePostgresUrl();

/** A user, two agents and a guard on `store`: what the failure tests exercise. */
async function scenario(store: StoreBackend, guardStore: StoreBackend = store) {
  const planner = createAgentIdentity("planner");
  await store.putUser({ id: "alice", permissions: "docs.read" });
  await store.putAgent({ id: "planner", policy: "docs.read", keys: [planner] });
  const writ = await store.issue({ user: "alice", agent: "planner" });
  const guard: Guard = await createGuard({
    backend: guardStore,
    issuer: await store.issuerKeys(),
    audience: "urn:writ:remote",
  });
  const session = new Session(planner, writ);
  const read = () =>
    guard.authorize(guard.callFrom(session, { action: "docs.read", tool: "read_doc", args: {} }));
  return { planner, writ, guard, read };
}

if (serverUrl) {
  let database: { url: string; drop(): Promise<void> };
  let schemas = 0;
  const schema = () => `store_${++schemas}`;
  const writerRole = `writ_writer_${process.pid}`;

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl, "store");
  });

  afterAll(async () => {
    await database?.drop();
    await withClient(serverUrl, (client) => client.query(`DROP ROLE IF EXISTS ${writerRole}`));
  });

  describe("postgresBackend on a real server", () => {
    it("refuses UPDATE, DELETE and TRUNCATE on the ledger by privilege, and by trigger even when privileges are granted back", async () => {
      const s = schema();
      const store = await postgresBackend({ url: database.url, schema: s });
      await store.append([{ entry: { kind: "admin", time: 1 } }]);
      await store.revoke({ kind: "hop", id: "planner-hop" });
      await store.close();
      await withClient(database.url, async (client) => {
        await expect(
          client.query(`UPDATE ${s}.writ_ledger SET kind = 'decision'`),
        ).rejects.toMatchObject({ code: "42501" });
        await expect(client.query(`DELETE FROM ${s}.writ_ledger`)).rejects.toThrow(
          /permission denied/,
        );
        await client.query(
          `GRANT UPDATE, DELETE, TRUNCATE ON ${s}.writ_ledger, ${s}.writ_revocations TO CURRENT_USER`,
        );
        await expect(client.query(`UPDATE ${s}.writ_ledger SET kind = 'decision'`)).rejects.toThrow(
          /append-only: UPDATE is refused/,
        );
        await expect(client.query(`DELETE FROM ${s}.writ_ledger`)).rejects.toThrow(
          /append-only: DELETE is refused/,
        );
        await expect(client.query(`TRUNCATE ${s}.writ_ledger`)).rejects.toThrow(
          /append-only: TRUNCATE is refused/,
        );
        await expect(client.query(`DELETE FROM ${s}.writ_revocations`)).rejects.toThrow(
          /append-only/,
        );
        expect(
          (await client.query(`SELECT count(*)::int AS n FROM ${s}.writ_ledger`)).rows,
        ).toEqual([{ n: 2 }]);
      });
    });

    it("runs as a writer role that can append but never change the ledger or its triggers", async () => {
      const s = schema();
      await (await postgresBackend({ url: database.url, schema: s })).close();
      await withClient(database.url, (client) =>
        client.query(`CREATE ROLE ${writerRole} LOGIN PASSWORD 'writer-password'`),
      );
      await grantPostgresWriter({ url: database.url, role: writerRole, schema: s });
      const roleUrl = new URL(database.url);
      roleUrl.username = writerRole;
      roleUrl.password = "writer-password";
      const writer = await postgresBackend({ url: roleUrl.toString(), schema: s, migrate: false });
      const { read, guard } = await scenario(writer);
      expect(await read()).toMatchObject({ effect: "allow" });
      await writer.revoke({ kind: "agent", id: "planner" });
      await eventually(
        async () => (await read()).code === "revoked.agent",
        "the writer's revocation reaches its guard",
        10_000,
      );
      expect(await writer.verifyLedger()).toMatchObject({ ok: true });
      await guard.close();
      await writer.close();
      await withClient(roleUrl.toString(), async (client) => {
        await expect(client.query(`UPDATE ${s}.writ_ledger SET kind = 'decision'`)).rejects.toThrow(
          /permission denied/,
        );
        await expect(client.query(`DELETE FROM ${s}.writ_ledger_checkpoints`)).rejects.toThrow(
          /permission denied/,
        );
        await expect(
          client.query(`ALTER TABLE ${s}.writ_ledger DISABLE TRIGGER USER`),
        ).rejects.toThrow(/must be owner/);
        await expect(client.query(`DELETE FROM ${s}.writ_ledger_payloads`)).rejects.toThrow(
          /permission denied/,
        );
      });
      await expect(
        postgresBackend({ url: roleUrl.toString(), schema: schema(), migrate: false }),
      ).rejects.toMatchObject({
        code: "store.schema_too_old",
      });
    });

    it("refuses a schema newer than the code", async () => {
      const s = schema();
      await (await postgresBackend({ url: database.url, schema: s })).close();
      await withClient(database.url, (client) =>
        client.query(
          `INSERT INTO ${s}.writ_schema_migrations (idx, tag, hash, applied_at) VALUES (99, '0099_future', 'x', 0)`,
        ),
      );
      await expect(postgresBackend({ url: database.url, schema: s })).rejects.toMatchObject({
        code: "store.schema_too_new",
      });
    });

    it("fails with store.unavailable when the server is down at start, without printing the password", async () => {
      const failure = await postgresBackend({
        url: "postgres://writ:secret-password@127.0.0.1:9/writ",
        connectTimeoutMs: 2000,
      }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: "store.unavailable" });
      expect(String((failure as Error).message)).toContain("127.0.0.1:9");
      expect(String((failure as Error).message)).not.toContain("secret-password");
    });

    it("fails closed when Postgres goes down mid-run, then catches up by sequence and loses nothing", async () => {
      const s = schema();
      const direct = new URL(database.url);
      const proxy = await startTcpProxy({
        host: direct.hostname,
        port: Number(direct.port || 5432),
      });
      const proxied = new URL(database.url);
      proxied.port = String(proxy.port);
      const admin = await postgresBackend({ url: database.url, schema: s });
      const store = await postgresBackend({
        url: proxied.toString(),
        schema: s,
        heartbeatMs: 50,
        connectTimeoutMs: 1000,
      });
      const { writ, guard, read } = await scenario(admin, store);
      expect(await read()).toMatchObject({ effect: "allow" });
      const before = (await admin.queryLedger({ limit: 1000 })).records;

      await proxy.cut();
      const during = await read();
      expect(during.effect).toBe("deny");
      expect(["ledger.unavailable", "live.unavailable", "live.stale"]).toContain(during.code);
      await expect(store.revoke({ kind: "user", id: "alice" })).rejects.toMatchObject({
        code: "store.unavailable",
      });
      // A revocation made elsewhere while this guard's feed is down…
      await admin.revoke({ kind: "hop", id: writ.root.claims.jti });

      await proxy.restore();
      // …is caught up by sequence number once the feed reconnects.
      await eventually(
        async () => (await read()).code === "revoked.hop",
        "the guard catches up after the outage",
        15_000,
      );
      const after = (await admin.queryLedger({ limit: 1000 })).records;
      expect(after.slice(0, before.length)).toEqual(before);
      expect(await admin.verifyLedger()).toMatchObject({ ok: true });
      await guard.close();
      await store.close();
      await admin.close();
      await proxy.cut();
    }, 40_000);

    it("shares live state between backends: a revoke through one is enforced by a guard on another", async () => {
      const s = schema();
      const first = await postgresBackend({ url: database.url, schema: s });
      const second = await postgresBackend({ url: database.url, schema: s });
      const { writ, guard, read } = await scenario(first, second);
      expect(await read()).toMatchObject({ effect: "allow" });
      const started = performance.now();
      await first.revoke({ kind: "hop", id: writ.root.claims.jti });
      await eventually(
        () => !guard.canUse(writ.toString(), "docs.read"),
        "the other backend's guard sees the revoke",
        10_000,
      );
      console.info(
        `revocation seen by a guard on another backend after ${(performance.now() - started).toFixed(1)} ms`,
      );
      expect(await read()).toMatchObject({ effect: "deny", code: "revoked.hop" });
      await guard.close();
      await second.close();
      await first.close();
    });

    it("enforces a revoke made in one process in a guard running in another, within milliseconds", async () => {
      const s = schema();
      const store = await postgresBackend({ url: database.url, schema: s });
      const { writ, planner, guard, read } = await scenario(store);
      const remote = await startRemoteGuard({ url: database.url, schema: s });
      try {
        const { armed, revoked } = remote.watch(writ, planner, "docs.read");
        await armed;
        const revokedAt = performance.timeOrigin + performance.now();
        await store.revoke({ kind: "hop", id: writ.root.claims.jti });
        const seen = await revoked;
        const latency = seen.seenAt - revokedAt;
        console.info(`cross-process revocation enforced after ${latency.toFixed(2)} ms`);
        expect(seen.code).toBe("revoked.hop");
        expect(latency).toBeLessThan(1000);
        expect(await read()).toMatchObject({ effect: "deny", code: "revoked.hop" });
      } finally {
        await remote.close();
        await guard.close();
        await store.close();
      }
    }, 60_000);
  });

  const postgresTamperTarget: TamperOptions = {
    open: async (options) => {
      const s = schema();
      const store = await postgresBackend({ url: database.url, schema: s, ...options });
      return {
        store,
        another: (more) => postgresBackend({ url: database.url, schema: s, ...more }),
        tamper: (statements) =>
          withClient(database.url, async (client) => {
            // The owner can grant itself the privileges back and disable the triggers: the chain, checkpoints and tree still tell.
            await client.query(`SET search_path TO ${s}`);
            await client.query(
              `GRANT UPDATE, DELETE ON ${LEDGER_TABLES.join(", ")} TO CURRENT_USER`,
            );
            for (const table of LEDGER_TABLES)
              await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
            for (const statement of statements) await client.query(statement);
            for (const table of LEDGER_TABLES)
              await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
          }),
        close: () => store.close(),
      };
    },
  };
  tamperCases("PostgreSQL server", postgresTamperTarget);
  ledgerTreeCases("PostgreSQL server", async () => {
    const s = schema();
    return {
      open: (options) => postgresBackend({ url: database.url, schema: s, poolSize: 3, ...options }),
      folder: () => mkdtempSync(join(tmpdir(), "writ-tree-")),
      parallelWriters: true,
    };
  });
  treeTamperCases("PostgreSQL server", postgresTamperTarget);

  budgetReleaseCases("PostgreSQL server", {
    open: (options) => postgresBackend({ url: database.url, schema: schema(), ...options }),
  });

  const auditTarget: AuditAtomicityOptions = {
    open: async (options) => {
      const s = schema();
      const store = await postgresBackend({ url: database.url, schema: s, ...options });
      return {
        store,
        refuseAuditRows: async (refuse) => {
          await withClient(database.url, (client) => client.query(postgresAuditRefusal(s, refuse)));
        },
        close: () => store.close(),
      };
    },
  };
  auditAtomicityCases("PostgreSQL server", auditTarget);
  localRevocationCases("PostgreSQL server", auditTarget);
} else {
  describe.skip("postgresBackend on a real server (set WRIT_TEST_POSTGRES_URL to run it; CI always does)", () =>
    undefined);
}
