import { WritError } from "@writ/core";
import type {
  CredentialStore,
  PendingConnection,
  RefreshRecord,
  SealedField,
  SealedValue,
  StoredAccessToken,
  StoredConnection,
} from "@writ/core/backend";
import { integer, json, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { SqlExecutor, SqlRow } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";

const CONNECTION_COLUMNS =
  "id, user_id, tenant_id, provider, status, scopes_json, refresh_token, refresh_key_id, version, created_at, updated_at, refreshed_at, broken_at, broken_reason";
const TOKEN_COLUMNS = "connection_id, scope_key, token, key_id, token_type, created_at, expires_at";
const PENDING_COLUMNS =
  "state_hash, provider, user_id, tenant_id, scopes_json, verifier, key_id, created_at, expires_at";

const placeholders = (columns: string) =>
  columns
    .split(",")
    .map(() => "?")
    .join(", ");

/**
 * core's CredentialStore on the store's SQL tables. It holds what the broker
 * sealed and never opens it; every multi-row change is one transaction, and
 * the refresh lease is a conditional UPDATE, so processes sharing a Postgres
 * database take turns refreshing a connection.
 */
export class SqlCredentialStore implements CredentialStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async savePending(pending: PendingConnection): Promise<void> {
    const { driver, tables } = this.#ctx;
    await driver.transaction(async (tx) => {
      // Flows nobody finished are forgotten as new ones start: they can never complete.
      await tx.run(`DELETE FROM ${tables.credentialPending} WHERE expires_at < ?`, [
        pending.createdAt,
      ]);
      await tx.run(
        `INSERT INTO ${tables.credentialPending} (${PENDING_COLUMNS}) VALUES (${placeholders(PENDING_COLUMNS)})`,
        [
          pending.stateHash,
          pending.provider,
          pending.user,
          pending.tenant ?? null,
          JSON.stringify(pending.scopes),
          pending.verifier.ciphertext,
          pending.verifier.keyId,
          pending.createdAt,
          pending.expiresAt,
        ],
      );
    });
  }

  takePending(stateHash: string): Promise<PendingConnection | undefined> {
    const { driver, tables } = this.#ctx;
    return driver.transaction(async (tx) => {
      const [row] = await tx.all(
        `SELECT ${PENDING_COLUMNS} FROM ${tables.credentialPending} WHERE state_hash = ?`,
        [stateHash],
      );
      if (!row) return undefined;
      // Only the caller whose DELETE removed the row gets it: a state works once.
      const taken = await tx.run(`DELETE FROM ${tables.credentialPending} WHERE state_hash = ?`, [
        stateHash,
      ]);
      return taken === 1 ? pendingOf(row) : undefined;
    });
  }

  async putConnection(connection: StoredConnection): Promise<void> {
    const { driver, tables } = this.#ctx;
    await driver.transaction(async (tx) => {
      const old = await tx.all(
        `SELECT id FROM ${tables.credentialConnections} WHERE user_id = ? AND provider = ?`,
        [connection.user, connection.provider],
      );
      for (const row of old) await this.#delete(tx, text(row, "id"));
      await tx.run(
        `INSERT INTO ${tables.credentialConnections} (${CONNECTION_COLUMNS}) VALUES (${placeholders(CONNECTION_COLUMNS)})`,
        [
          connection.id,
          connection.user,
          connection.tenant ?? null,
          connection.provider,
          connection.status,
          JSON.stringify(connection.scopes),
          connection.refreshToken?.ciphertext ?? null,
          connection.refreshToken?.keyId ?? null,
          connection.version,
          connection.createdAt,
          connection.updatedAt,
          connection.refreshedAt ?? null,
          connection.brokenAt ?? null,
          connection.brokenReason ?? null,
        ],
      );
    });
  }

  async getConnection(user: string, provider: string): Promise<StoredConnection | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT ${CONNECTION_COLUMNS} FROM ${this.#ctx.tables.credentialConnections} WHERE user_id = ? AND provider = ?`,
      [user, provider],
    );
    return row ? connectionOf(row) : undefined;
  }

  async listConnections(user: string): Promise<StoredConnection[]> {
    const rows = await this.#ctx.driver.all(
      `SELECT ${CONNECTION_COLUMNS} FROM ${this.#ctx.tables.credentialConnections} WHERE user_id = ? ORDER BY provider`,
      [user],
    );
    return rows.map(connectionOf);
  }

  deleteConnection(id: string): Promise<boolean> {
    return this.#ctx.driver.transaction((tx) => this.#delete(tx, id));
  }

  async markBroken(id: string, at: number, reason: string): Promise<void> {
    const { driver, tables } = this.#ctx;
    await driver.transaction(async (tx) => {
      await tx.run(`DELETE FROM ${tables.credentialTokens} WHERE connection_id = ?`, [id]);
      await tx.run(
        `UPDATE ${tables.credentialConnections} SET status = 'broken', refresh_token = NULL, refresh_key_id = NULL, version = version + 1, updated_at = ?, broken_at = ?, broken_reason = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
        [at, at, reason, id],
      );
    });
  }

  async getAccessToken(
    connectionId: string,
    scopeKey: string,
  ): Promise<StoredAccessToken | undefined> {
    const [row] = await this.#ctx.driver.all(
      `SELECT ${TOKEN_COLUMNS} FROM ${this.#ctx.tables.credentialTokens} WHERE connection_id = ? AND scope_key = ?`,
      [connectionId, scopeKey],
    );
    return row ? accessTokenOf(row) : undefined;
  }

  async listAccessTokens(connectionId: string): Promise<StoredAccessToken[]> {
    const rows = await this.#ctx.driver.all(
      `SELECT ${TOKEN_COLUMNS} FROM ${this.#ctx.tables.credentialTokens} WHERE connection_id = ? ORDER BY scope_key`,
      [connectionId],
    );
    return rows.map(accessTokenOf);
  }

  async deleteAccessToken(connectionId: string, scopeKey: string): Promise<void> {
    await this.#ctx.driver.run(
      `DELETE FROM ${this.#ctx.tables.credentialTokens} WHERE connection_id = ? AND scope_key = ?`,
      [connectionId, scopeKey],
    );
  }

  async claimRefresh(
    connectionId: string,
    owner: string,
    until: number,
    now: number,
  ): Promise<boolean> {
    const claimed = await this.#ctx.driver.run(
      `UPDATE ${this.#ctx.tables.credentialConnections} SET lease_owner = ?, lease_until = ? WHERE id = ? AND status = 'active' AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)`,
      [owner, until, connectionId, owner, now],
    );
    return claimed === 1;
  }

  async releaseRefresh(connectionId: string, owner: string): Promise<void> {
    await this.#ctx.driver.run(
      `UPDATE ${this.#ctx.tables.credentialConnections} SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
      [connectionId, owner],
    );
  }

  recordRefresh(record: RefreshRecord): Promise<boolean> {
    const { driver, tables } = this.#ctx;
    const { accessToken: token } = record;
    return driver.transaction(async (tx) => {
      const rotation = record.refreshToken
        ? ", refresh_token = ?, refresh_key_id = ?"
        : ", refresh_token = refresh_token";
      const updated = await tx.run(
        `UPDATE ${tables.credentialConnections} SET version = version + 1, updated_at = ?, refreshed_at = ?, lease_owner = NULL, lease_until = NULL${rotation} WHERE id = ? AND version = ? AND status = 'active'`,
        [
          record.at,
          record.at,
          ...(record.refreshToken
            ? [record.refreshToken.ciphertext, record.refreshToken.keyId]
            : []),
          record.connectionId,
          record.version,
        ],
      );
      if (updated !== 1) return false;
      await tx.run(
        `INSERT INTO ${tables.credentialTokens} (${TOKEN_COLUMNS}) VALUES (${placeholders(TOKEN_COLUMNS)})
         ON CONFLICT (connection_id, scope_key) DO UPDATE SET token = excluded.token, key_id = excluded.key_id,
           token_type = excluded.token_type, created_at = excluded.created_at, expires_at = excluded.expires_at`,
        [
          record.connectionId,
          token.scopeKey,
          token.token.ciphertext,
          token.token.keyId,
          token.tokenType,
          token.createdAt,
          token.expiresAt,
        ],
      );
      return true;
    });
  }

  async sealedNotUnder(
    keyId: string,
    limit: number,
  ): Promise<{ readonly field: SealedField; readonly value: SealedValue }[]> {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new TypeError("limit must be a positive whole number.");
    const { driver, tables } = this.#ctx;
    const found: { field: SealedField; value: SealedValue }[] = [];
    const refresh = await driver.all(
      `SELECT id, refresh_token, refresh_key_id FROM ${tables.credentialConnections} WHERE refresh_key_id IS NOT NULL AND refresh_key_id <> ? ORDER BY id LIMIT ?`,
      [keyId, limit],
    );
    for (const row of refresh) {
      found.push({
        field: { kind: "refresh_token", connectionId: text(row, "id") },
        value: { keyId: text(row, "refresh_key_id"), ciphertext: text(row, "refresh_token") },
      });
    }
    const tokens = await driver.all(
      `SELECT connection_id, scope_key, token, key_id FROM ${tables.credentialTokens} WHERE key_id <> ? ORDER BY connection_id, scope_key LIMIT ?`,
      [keyId, limit - found.length],
    );
    for (const row of tokens) {
      found.push({
        field: {
          kind: "access_token",
          connectionId: text(row, "connection_id"),
          scopeKey: text(row, "scope_key"),
        },
        value: { keyId: text(row, "key_id"), ciphertext: text(row, "token") },
      });
    }
    const pending = await driver.all(
      `SELECT state_hash, verifier, key_id FROM ${tables.credentialPending} WHERE key_id <> ? ORDER BY state_hash LIMIT ?`,
      [keyId, limit - found.length],
    );
    for (const row of pending) {
      found.push({
        field: { kind: "code_verifier", stateHash: text(row, "state_hash") },
        value: { keyId: text(row, "key_id"), ciphertext: text(row, "verifier") },
      });
    }
    return found.slice(0, limit);
  }

  async replaceSealed(field: SealedField, from: string, to: SealedValue): Promise<boolean> {
    const { driver, tables } = this.#ctx;
    const changed =
      field.kind === "refresh_token"
        ? await driver.run(
            `UPDATE ${tables.credentialConnections} SET refresh_token = ?, refresh_key_id = ? WHERE id = ? AND refresh_token = ?`,
            [to.ciphertext, to.keyId, field.connectionId, from],
          )
        : field.kind === "access_token"
          ? await driver.run(
              `UPDATE ${tables.credentialTokens} SET token = ?, key_id = ? WHERE connection_id = ? AND scope_key = ? AND token = ?`,
              [to.ciphertext, to.keyId, field.connectionId, field.scopeKey, from],
            )
          : await driver.run(
              `UPDATE ${tables.credentialPending} SET verifier = ?, key_id = ? WHERE state_hash = ? AND verifier = ?`,
              [to.ciphertext, to.keyId, field.stateHash, from],
            );
    return changed === 1;
  }

  async #delete(tx: SqlExecutor, id: string): Promise<boolean> {
    const { tables } = this.#ctx;
    await tx.run(`DELETE FROM ${tables.credentialTokens} WHERE connection_id = ?`, [id]);
    return (await tx.run(`DELETE FROM ${tables.credentialConnections} WHERE id = ?`, [id])) > 0;
  }
}

function connectionOf(row: SqlRow): StoredConnection {
  const tenant = optionalText(row, "tenant_id");
  const refreshToken = optionalText(row, "refresh_token");
  const refreshKeyId = optionalText(row, "refresh_key_id");
  const refreshedAt = optionalInteger(row, "refreshed_at");
  const brokenAt = optionalInteger(row, "broken_at");
  const brokenReason = optionalText(row, "broken_reason");
  const status = text(row, "status");
  return {
    id: text(row, "id"),
    user: text(row, "user_id"),
    ...(tenant === null ? {} : { tenant }),
    provider: text(row, "provider"),
    status: status === "broken" ? "broken" : "active",
    scopes: stringArray(row, "scopes_json"),
    ...(refreshToken === null || refreshKeyId === null
      ? {}
      : { refreshToken: { keyId: refreshKeyId, ciphertext: refreshToken } }),
    version: integer(row, "version"),
    createdAt: integer(row, "created_at"),
    updatedAt: integer(row, "updated_at"),
    ...(refreshedAt === null ? {} : { refreshedAt }),
    ...(brokenAt === null ? {} : { brokenAt }),
    ...(brokenReason === null ? {} : { brokenReason }),
  };
}

function accessTokenOf(row: SqlRow): StoredAccessToken {
  return {
    connectionId: text(row, "connection_id"),
    scopeKey: text(row, "scope_key"),
    token: { keyId: text(row, "key_id"), ciphertext: text(row, "token") },
    tokenType: text(row, "token_type"),
    createdAt: integer(row, "created_at"),
    expiresAt: integer(row, "expires_at"),
  };
}

function pendingOf(row: SqlRow): PendingConnection {
  const tenant = optionalText(row, "tenant_id");
  return {
    stateHash: text(row, "state_hash"),
    provider: text(row, "provider"),
    user: text(row, "user_id"),
    ...(tenant === null ? {} : { tenant }),
    scopes: stringArray(row, "scopes_json"),
    verifier: { keyId: text(row, "key_id"), ciphertext: text(row, "verifier") },
    createdAt: integer(row, "created_at"),
    expiresAt: integer(row, "expires_at"),
  };
}

function stringArray(row: SqlRow, column: string): string[] {
  const value = json(row, column);
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new WritError(
      "store.corrupt",
      `Column "${column}" does not hold a list of scopes; the database was changed outside Writ.`,
      { name: column },
    );
  }
  return value;
}
