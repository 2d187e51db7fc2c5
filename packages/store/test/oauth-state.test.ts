import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import {
  grantPostgresWriter,
  postgresBackend,
  type StoreBackend,
  sqliteBackend,
} from "@writ/store";
import { pgliteBackend } from "@writ/store/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, requirePostgresUrl, withClient } from "./support/postgres-server.js";

const NOW = 1_800_000_000_000;
const family = (id: string, currentHash: string) => ({
  id,
  clientId: "mcpc_1",
  data: '{"user":"alice"}',
  dpopJkt: "jkt-1",
  currentHash,
  expiresAt: NOW + 60_000,
});

/**
 * The OAuth authorization server's state, as every store keeps it. `open`
 * gives two stores on one database (two server instances): what must happen
 * once happens once across them.
 */
function oauthStateCases(open: () => Promise<readonly [StoreBackend, StoreBackend]>) {
  let a: StoreBackend;
  let b: StoreBackend;
  beforeAll(async () => {
    [a, b] = await open();
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
  });

  it("keeps a registered client for every instance", async () => {
    const before = await b.oauthState.countOAuthClients();
    await a.oauthState.putOAuthClient({ clientId: "mcpc_x", data: '{"a":1}', createdAt: NOW });
    expect(await b.oauthState.getOAuthClient("mcpc_x")).toEqual({
      clientId: "mcpc_x",
      data: '{"a":1}',
      createdAt: NOW,
    });
    expect(await b.oauthState.countOAuthClients()).toBe(before + 1);
    expect(await b.oauthState.getOAuthClient("mcpc_unknown")).toBeUndefined();
  });

  it("continues a request at another instance, and closes it once", async () => {
    const request = { id: "req-1", browserHash: "h", data: "{}", expiresAt: NOW + 600_000 };
    await a.oauthState.openOAuthRequest(request);
    await b.oauthState.setOAuthRequestUser("req-1", "alice");
    expect(await a.oauthState.getOAuthRequest("req-1", NOW)).toEqual({ ...request, user: "alice" });
    expect(await a.oauthState.getOAuthRequest("req-1", NOW + 600_000)).toBeUndefined();
    const closes = await Promise.all([
      a.oauthState.closeOAuthRequest("req-1"),
      b.oauthState.closeOAuthRequest("req-1"),
    ]);
    expect(closes.filter(Boolean)).toHaveLength(1);
  });

  it("redeems a code at exactly one of two instances racing, and names the winner's family to the other", async () => {
    for (const round of [1, 2, 3, 4, 5]) {
      const codeHash = `code-${round}`;
      await a.oauthState.putOAuthCode({ codeHash, data: '{"ok":true}', expiresAt: NOW + 60_000 });
      const [first, second] = await Promise.all([
        a.oauthState.redeemOAuthCode(codeHash, `fam-a-${round}`, NOW),
        b.oauthState.redeemOAuthCode(codeHash, `fam-b-${round}`, NOW),
      ]);
      const results = [first, second];
      const winner = results.findIndex((result) => result !== undefined && "data" in result);
      expect(winner).not.toBe(-1);
      expect(results[1 - winner]).toEqual({
        replayedFamily: winner === 0 ? `fam-a-${round}` : `fam-b-${round}`,
      });
    }
    await a.oauthState.putOAuthCode({ codeHash: "late", data: "{}", expiresAt: NOW + 60_000 });
    expect(await a.oauthState.redeemOAuthCode("late", "f", NOW + 60_000)).toBeUndefined();
    expect(await a.oauthState.redeemOAuthCode("never-issued", "f", NOW)).toBeUndefined();
  });

  it("rotates a refresh token at exactly one of two instances racing; the rotated one still names its family", async () => {
    for (const round of [1, 2, 3, 4, 5]) {
      const id = `rot-${round}`;
      expect(await a.oauthState.createOAuthFamily(family(id, `${id}-r0`))).toBe(true);
      const rotations = await Promise.all([
        a.oauthState.rotateOAuthRefreshToken(id, `${id}-r0`, `${id}-ra`),
        b.oauthState.rotateOAuthRefreshToken(id, `${id}-r0`, `${id}-rb`),
      ]);
      expect(rotations.filter(Boolean)).toHaveLength(1);
      const current = rotations[0] ? `${id}-ra` : `${id}-rb`;
      expect(await b.oauthState.findOAuthFamily(`${id}-r0`)).toMatchObject({
        id,
        currentHash: current,
        dpopJkt: "jkt-1",
      });
    }
  });

  it("revokes a family with every writ issued under it, even one recorded as it is revoked", async () => {
    expect(await a.oauthState.createOAuthFamily(family("rev-1", "rev-1-r0"))).toBe(true);
    expect(await a.oauthState.addOAuthFamilyWrit("rev-1", "jti-1")).toBe(true);
    expect(await b.oauthState.findOAuthFamilyByWrit("jti-1")).toBe("rev-1");
    expect(await b.oauthState.revokeOAuthFamily("rev-1", NOW)).toEqual({
      clientId: "mcpc_1",
      writs: ["jti-1"],
    });
    expect(await a.oauthState.addOAuthFamilyWrit("rev-1", "jti-2")).toBe(false);
    expect(await a.oauthState.findOAuthFamily("rev-1-r0")).toMatchObject({ revokedAt: NOW });
    expect(await a.oauthState.rotateOAuthRefreshToken("rev-1", "rev-1-r0", "next")).toBe(false);
    // A family revoked before it starts (its code replayed during the redemption) never starts.
    await b.oauthState.revokeOAuthFamily("rev-2", NOW);
    expect(await a.oauthState.createOAuthFamily(family("rev-2", "rev-2-r0"))).toBe(false);
  });
}

describe("OAuth state on one SQLite file, two stores", () => {
  const folder = mkdtempSync(join(tmpdir(), "writ-oauth-state-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  oauthStateCases(async () => {
    const path = join(folder, "writ.db");
    const first = await sqliteBackend({ path });
    return [first, await sqliteBackend({ path })];
  });

  it("keeps clients and refresh-token families across a restart", async () => {
    const path = join(folder, "restart.db");
    const before = await sqliteBackend({ path });
    await before.oauthState.putOAuthClient({ clientId: "mcpc_r", data: "{}", createdAt: NOW });
    await before.oauthState.createOAuthFamily(family("fam-r", "hash-r"));
    await before.close();
    const after = await sqliteBackend({ path });
    expect(await after.oauthState.getOAuthClient("mcpc_r")).toBeDefined();
    expect(await after.oauthState.findOAuthFamily("hash-r")).toMatchObject({ id: "fam-r" });
    await after.close();
  });
});

describe("OAuth state on PGlite", () => {
  let client: PGlite;
  afterAll(async () => {
    await client?.close();
  });
  oauthStateCases(async () => {
    client = await PGlite.create();
    const store = await pgliteBackend({ client, schema: "oauth_state" });
    return [store, store];
  });
});

const serverUrl = requirePostgresUrl();
if (serverUrl) {
  describe("OAuth state on PostgreSQL: the owner and a writer role (two server instances)", () => {
    let database: { url: string; drop(): Promise<void> } | undefined;
    const writerRole = `writ_oauth_writer_${process.pid}`;
    afterAll(async () => {
      await database?.drop();
      await withClient(serverUrl, (client) => client.query(`DROP ROLE IF EXISTS ${writerRole}`));
    });
    oauthStateCases(async () => {
      database = await createTestDatabase(serverUrl, "oauth_state");
      const owner = await postgresBackend({ url: database.url });
      await withClient(database.url, (client) =>
        client.query(`CREATE ROLE ${writerRole} LOGIN PASSWORD 'writer-password'`),
      );
      // The second instance connects as an application role: it needs every OAuth table.
      await grantPostgresWriter({ url: database.url, role: writerRole });
      const writerUrl = new URL(database.url);
      writerUrl.username = writerRole;
      writerUrl.password = "writer-password";
      return [owner, await postgresBackend({ url: writerUrl.toString(), migrate: false })];
    });
  });
}
