import type {
  ApiKeyInfo,
  ApiKeyQuery,
  ApiKeyRecord,
  ApiKeyScope,
  CreateApiKeyInput,
  IssuedApiKey,
  Page,
  StoredApiKey,
} from "@writ/core/backend";
import type { RunAdminChange } from "../admin/admin-change.js";
import { assertOptionalId } from "../directory/assert-id.js";
import { decodeCursor, pageLimit, pageOf } from "../pagination/page.js";
import { integer, json, optionalInteger, optionalText, text } from "../sql/row-values.js";
import type { SqlRow, SqlTransaction, SqlValue } from "../sql/sql-driver.js";
import type { StoreContext } from "../store-context.js";
import { checkApiKeyRecord, createApiKey } from "./api-key.js";

const COLUMNS =
  "k.id, k.tenant_id, k.scopes_json, k.hash, k.label, k.created_by, k.created_at, k.expires_at, k.last_used_at, r.at AS revoked_at, r.reason AS revoked_reason";

/** API keys in the store, so every server instance accepts the same keys and refuses the same revoked ones. */
export class ApiKeyStore {
  readonly #ctx: StoreContext;
  readonly #change: RunAdminChange;

  constructor(ctx: StoreContext, change: RunAdminChange) {
    this.#ctx = ctx;
    this.#change = change;
  }

  /** Creates a key; the key and its ledger row commit together. */
  async create(input: CreateApiKeyInput = {}): Promise<IssuedApiKey> {
    const { by, ...options } = input;
    const { key, record } = createApiKey({ ...options, now: this.#ctx.clock() });
    return this.#change(async ({ tx, audit }) => {
      await this.#insert(tx, record, by);
      await audit("create_api_key", { key: record.id, ...(by === undefined ? {} : { by }) });
      return {
        key,
        apiKey: withoutHash({ ...record, ...(by === undefined ? {} : { createdBy: by }) }),
      };
    });
  }

  /**
   * Imports records kept elsewhere (the `.writ/api-keys.json` of earlier
   * versions); ids already in the store are skipped. Resolves to how many
   * were new; one ledger row records them.
   */
  async import(records: readonly ApiKeyRecord[], by?: string): Promise<number> {
    for (const record of records) checkApiKeyRecord(record);
    return this.#change(async ({ tx, audit }) => {
      let imported = 0;
      for (const record of records) if (await this.#insert(tx, record, by)) imported++;
      if (imported > 0) {
        await audit("import_api_keys", {
          count: String(imported),
          ...(by === undefined ? {} : { by }),
        });
      }
      return imported;
    });
  }

  /** Stores a record unless its id is taken; resolves to whether it did. */
  async #insert(tx: SqlTransaction, record: ApiKeyRecord, by?: string): Promise<boolean> {
    checkApiKeyRecord(record);
    const { tables } = this.#ctx;
    if (record.tenant !== undefined) {
      await tx.run(
        `INSERT INTO ${tables.tenants} (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
        [record.tenant, record.createdAt],
      );
    }
    const inserted = await tx.run(
      `INSERT INTO ${tables.apiKeys} (id, tenant_id, scopes_json, hash, label, created_by, created_at, expires_at, last_used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (id) DO NOTHING`,
      [
        record.id,
        record.tenant ?? null,
        JSON.stringify(record.scopes),
        record.hash,
        record.label ?? null,
        by ?? null,
        record.createdAt,
        record.expiresAt ?? null,
      ],
    );
    return inserted > 0;
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    if (typeof id !== "string") return undefined;
    const [row] = await this.#ctx.driver.all(`${this.#select()} WHERE k.id = ?`, [id]);
    return row ? storedApiKey(row) : undefined;
  }

  async page(query: ApiKeyQuery = {}): Promise<Page<ApiKeyInfo>> {
    assertOptionalId(query.tenant, "tenant");
    const limit = pageLimit(query.limit);
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.tenant !== undefined) {
      where.push("k.tenant_id = ?");
      params.push(query.tenant);
    }
    if (query.cursor !== undefined) {
      const [after] = decodeCursor(query.cursor, ["string"]);
      where.push("k.id > ?");
      params.push(after);
    }
    const rows = await this.#ctx.driver.all(
      `${this.#select()} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY k.id LIMIT ?`,
      [...params, limit + 1],
    );
    const page = pageOf(rows.map(storedApiKey), limit, (key) => [key.id]);
    return { ...page, items: page.items.map(withoutHash) };
  }

  /** Notes a use; a use already noted at or after `at` is kept. */
  async recordUse(id: string, at: number): Promise<void> {
    await this.#ctx.driver.run(
      `UPDATE ${this.#ctx.tables.apiKeys} SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
      [at, id, at],
    );
  }

  #select(): string {
    const { tables } = this.#ctx;
    return `SELECT ${COLUMNS} FROM ${tables.apiKeys} k LEFT JOIN ${tables.revocations} r ON r.kind = 'api_key' AND r.target_id = k.id`;
  }
}

export function withoutHash(key: StoredApiKey): ApiKeyInfo {
  const { hash: _hash, ...info } = key;
  return info;
}

function storedApiKey(row: SqlRow): StoredApiKey {
  const tenant = optionalText(row, "tenant_id");
  const label = optionalText(row, "label");
  const createdBy = optionalText(row, "created_by");
  const expiresAt = optionalInteger(row, "expires_at");
  const lastUsedAt = optionalInteger(row, "last_used_at");
  const revokedAt = optionalInteger(row, "revoked_at");
  const reason = optionalText(row, "revoked_reason");
  return {
    id: text(row, "id"),
    ...(tenant === null ? {} : { tenant }),
    scopes: json(row, "scopes_json") as ApiKeyScope[],
    hash: text(row, "hash"),
    ...(label === null ? {} : { label }),
    createdAt: integer(row, "created_at"),
    ...(expiresAt === null ? {} : { expiresAt }),
    ...(createdBy === null ? {} : { createdBy }),
    ...(lastUsedAt === null ? {} : { lastUsedAt }),
    ...(revokedAt === null
      ? {}
      : { revoked: { at: revokedAt, ...(reason === null ? {} : { reason }) } }),
  };
}
