import { quoteIdentifier } from "../migrations/apply-migrations.js";
import { toStoreError } from "../sql/store-errors.js";
import { checkSchemaName } from "./open-postgres-store.js";

export interface GrantPostgresWriterOptions {
  /** A connection as the role that owns Writ's schema (the one that ran the migrations). */
  readonly url: string;
  /** An existing role the application will connect as. */
  readonly role: string;
  readonly schema?: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Tables a writer changes freely: the directory, approvals, the live counter, provider connections, API keys, console sessions, budgets, the tree sequencer's place and the OAuth authorization server's state. */
const READ_WRITE = [
  "writ_tenants",
  "writ_users",
  "writ_user_identities",
  "writ_roles",
  "writ_role_members",
  "writ_permissions",
  "writ_agents",
  "writ_agent_policies",
  "writ_agent_keys",
  "writ_issuer_keys",
  "writ_approvals",
  "writ_live_counter",
  "writ_credential_connections",
  "writ_credential_tokens",
  "writ_credential_pending",
  "writ_api_keys",
  "writ_console_sessions",
  "writ_budget_counters",
  "writ_budget_reservations",
  "writ_budget_releases",
  "writ_ledger_tree_state",
  "writ_ledger_tree_chains",
  "writ_oauth_clients",
  "writ_oauth_requests",
  "writ_oauth_codes",
  "writ_oauth_families",
  "writ_oauth_refresh_tokens",
  "writ_oauth_family_writs",
];

/** Tables a writer may only add to: the ledger, its chains, checkpoints and tree, revocations, the change log, hops. */
const APPEND_ONLY = [
  "writ_ledger",
  "writ_ledger_chains",
  "writ_ledger_checkpoints",
  "writ_revocations",
  "writ_live_changes",
  "writ_hops",
  "writ_ledger_tree_segments",
  "writ_ledger_tree_nodes",
  "writ_ledger_tree_heads",
];

/**
 * Gives an application role what a Writ store needs and no more: it can read
 * and append to the ledger but never UPDATE, DELETE or TRUNCATE it (the
 * triggers refuse that too), can only erase payloads, and cannot change the
 * schema or disable triggers (only the owner can). Open the store as that
 * role with `migrate: false`.
 */
export async function grantPostgresWriter(options: GrantPostgresWriterOptions): Promise<void> {
  if (typeof options?.role !== "string" || !ROLE_NAME.test(options.role)) {
    throw new TypeError("role must be an existing role name: lowercase letters, digits and _.");
  }
  const schema = quoteIdentifier(checkSchemaName(options.schema));
  const role = quoteIdentifier(options.role);
  const qualified = (tables: readonly string[]) =>
    tables.map((table) => `${schema}.${table}`).join(", ");
  const { default: pg } = await import("pg"); // on use: SQLite users never load pg
  const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("BEGIN");
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ${qualified(READ_WRITE)} TO ${role}`,
    );
    await client.query(`GRANT SELECT, INSERT ON ${qualified(APPEND_ONLY)} TO ${role}`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE (body_json, erased_at) ON ${schema}.writ_ledger_payloads TO ${role}`,
    );
    await client.query(`GRANT SELECT ON ${schema}.writ_schema_migrations TO ${role}`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw toStoreError(error, "PostgreSQL");
  } finally {
    await client.end().catch(() => undefined);
  }
}
