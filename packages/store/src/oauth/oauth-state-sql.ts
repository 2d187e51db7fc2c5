import type {
  OAuthClientRecord,
  OAuthCodeRecord,
  OAuthFamilyRecord,
  OAuthRequestRecord,
  OAuthStateStore,
} from "@writ/core/backend";
import { integer, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { StoreContext } from "../store-context.js";

/**
 * The OAuth authorization server's state in SQL, the same statements on
 * SQLite, PGlite and Postgres. What must happen once across instances is one
 * conditional statement: a code is redeemed by the UPDATE that finds it not
 * yet redeemed, a refresh token rotated by the UPDATE that finds it still
 * current, a request closed by the DELETE that finds it.
 */
export class OAuthStateSql implements OAuthStateStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async putOAuthClient(client: OAuthClientRecord): Promise<void> {
    await this.#ctx.driver.run(
      `INSERT INTO ${this.#ctx.tables.oauthClients} (client_id, data, created_at) VALUES (?, ?, ?)`,
      [client.clientId, client.data, client.createdAt],
    );
  }

  async getOAuthClient(clientId: string): Promise<OAuthClientRecord | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT client_id, data, created_at FROM ${this.#ctx.tables.oauthClients} WHERE client_id = ?`,
      [clientId],
    );
    return row
      ? {
          clientId: text(row, "client_id"),
          data: text(row, "data"),
          createdAt: integer(row, "created_at"),
        }
      : undefined;
  }

  async countOAuthClients(): Promise<number> {
    const [row] = await this.#ctx.driver.all(
      `SELECT COUNT(*) AS n FROM ${this.#ctx.tables.oauthClients}`,
    );
    return row ? integer(row, "n") : 0;
  }

  async openOAuthRequest(request: OAuthRequestRecord): Promise<void> {
    const { driver, tables, clock } = this.#ctx;
    await driver.run(`DELETE FROM ${tables.oauthRequests} WHERE expires_at <= ?`, [clock()]);
    await driver.run(
      `INSERT INTO ${tables.oauthRequests} (id, browser_hash, data, user_id, expires_at) VALUES (?, ?, ?, ?, ?)`,
      [request.id, request.browserHash, request.data, request.user ?? null, request.expiresAt],
    );
  }

  async getOAuthRequest(id: string, now: number): Promise<OAuthRequestRecord | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT id, browser_hash, data, user_id, expires_at FROM ${this.#ctx.tables.oauthRequests} WHERE id = ? AND expires_at > ?`,
      [id, now],
    );
    if (!row) return undefined;
    const user = optionalText(row, "user_id");
    return {
      id: text(row, "id"),
      browserHash: text(row, "browser_hash"),
      data: text(row, "data"),
      ...(user === null ? {} : { user }),
      expiresAt: integer(row, "expires_at"),
    };
  }

  async setOAuthRequestUser(id: string, user: string): Promise<void> {
    await this.#ctx.driver.run(
      `UPDATE ${this.#ctx.tables.oauthRequests} SET user_id = ? WHERE id = ?`,
      [user, id],
    );
  }

  async closeOAuthRequest(id: string): Promise<boolean> {
    const changed = await this.#ctx.driver.run(
      `DELETE FROM ${this.#ctx.tables.oauthRequests} WHERE id = ?`,
      [id],
    );
    return changed === 1;
  }

  async putOAuthCode(code: OAuthCodeRecord): Promise<void> {
    const { driver, tables, clock } = this.#ctx;
    await driver.run(`DELETE FROM ${tables.oauthCodes} WHERE expires_at <= ?`, [clock()]);
    await driver.run(
      `INSERT INTO ${tables.oauthCodes} (code_hash, data, expires_at) VALUES (?, ?, ?)`,
      [code.codeHash, code.data, code.expiresAt],
    );
  }

  async redeemOAuthCode(
    codeHash: string,
    familyId: string,
    now: number,
  ): Promise<{ readonly data: string } | { readonly replayedFamily: string } | undefined> {
    const { driver, tables } = this.#ctx;
    const [redeemed] = await driver.all(
      `UPDATE ${tables.oauthCodes} SET redeemed_family = ? WHERE code_hash = ? AND redeemed_family IS NULL AND expires_at > ? RETURNING data`,
      [familyId, codeHash, now],
    );
    if (redeemed) return { data: text(redeemed, "data") };
    const [earlier] = await driver.all(
      `SELECT redeemed_family FROM ${tables.oauthCodes} WHERE code_hash = ? AND expires_at > ?`,
      [codeHash, now],
    );
    const family = earlier ? optionalText(earlier, "redeemed_family") : null;
    return family === null ? undefined : { replayedFamily: family };
  }

  async createOAuthFamily(family: OAuthFamilyRecord): Promise<boolean> {
    const { driver, tables } = this.#ctx;
    const created = await driver.run(
      `INSERT INTO ${tables.oauthFamilies} (id, client_id, data, dpop_jkt, current_hash, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [
        family.id,
        family.clientId,
        family.data,
        family.dpopJkt ?? null,
        family.currentHash,
        family.expiresAt,
        family.revokedAt ?? null,
      ],
    );
    if (created !== 1) return false;
    await driver.run(
      `INSERT INTO ${tables.oauthRefreshTokens} (token_hash, family_id) VALUES (?, ?)`,
      [family.currentHash, family.id],
    );
    return true;
  }

  async findOAuthFamily(refreshHash: string): Promise<OAuthFamilyRecord | undefined> {
    const { driver, tables } = this.#ctx;
    const [row] = await driver.all(
      `SELECT f.id, f.client_id, f.data, f.dpop_jkt, f.current_hash, f.expires_at, f.revoked_at FROM ${tables.oauthRefreshTokens} t JOIN ${tables.oauthFamilies} f ON f.id = t.family_id WHERE t.token_hash = ?`,
      [refreshHash],
    );
    if (!row) return undefined;
    const dpopJkt = optionalText(row, "dpop_jkt");
    const revokedAt = optionalInteger(row, "revoked_at");
    return {
      id: text(row, "id"),
      clientId: text(row, "client_id"),
      data: text(row, "data"),
      ...(dpopJkt === null ? {} : { dpopJkt }),
      currentHash: text(row, "current_hash"),
      expiresAt: integer(row, "expires_at"),
      ...(revokedAt === null ? {} : { revokedAt }),
    };
  }

  async rotateOAuthRefreshToken(familyId: string, from: string, to: string): Promise<boolean> {
    const { driver, tables } = this.#ctx;
    // The new token is listed first: once it is current, it is found. No
    // transaction: the UPDATE alone decides, one statement on every dialect.
    await driver.run(
      `INSERT INTO ${tables.oauthRefreshTokens} (token_hash, family_id) VALUES (?, ?)`,
      [to, familyId],
    );
    const changed = await driver.run(
      `UPDATE ${tables.oauthFamilies} SET current_hash = ? WHERE id = ? AND current_hash = ? AND revoked_at IS NULL`,
      [to, familyId, from],
    );
    return changed === 1;
  }

  async addOAuthFamilyWrit(familyId: string, jti: string): Promise<boolean> {
    const { driver, tables } = this.#ctx;
    // Two statements, each committed: a revocation between them lists this
    // writ; one before the first is seen by the second.
    await driver.run(`INSERT INTO ${tables.oauthFamilyWrits} (jti, family_id) VALUES (?, ?)`, [
      jti,
      familyId,
    ]);
    const [row] = await driver.all(`SELECT revoked_at FROM ${tables.oauthFamilies} WHERE id = ?`, [
      familyId,
    ]);
    return row !== undefined && optionalInteger(row, "revoked_at") === null;
  }

  async revokeOAuthFamily(
    familyId: string,
    now: number,
  ): Promise<{ readonly clientId: string; readonly writs: readonly string[] }> {
    const { driver, tables } = this.#ctx;
    // A family not started yet is revoked in advance: its creation then fails.
    const [family] = await driver.all(
      `INSERT INTO ${tables.oauthFamilies} AS f (id, client_id, data, current_hash, expires_at, revoked_at) VALUES (?, '', '{}', '', ?, ?) ON CONFLICT (id) DO UPDATE SET revoked_at = COALESCE(f.revoked_at, excluded.revoked_at) RETURNING client_id`,
      [familyId, now, now],
    );
    const rows = await driver.all(
      `SELECT jti FROM ${tables.oauthFamilyWrits} WHERE family_id = ? ORDER BY jti`,
      [familyId],
    );
    return {
      clientId: family ? text(family, "client_id") : "",
      writs: rows.map((row) => text(row, "jti")),
    };
  }

  async findOAuthFamilyByWrit(jti: string): Promise<string | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT family_id FROM ${this.#ctx.tables.oauthFamilyWrits} WHERE jti = ?`,
      [jti],
    );
    return row ? text(row, "family_id") : undefined;
  }
}
