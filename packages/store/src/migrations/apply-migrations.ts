import { readFileSync } from "node:fs";
import { WritError } from "@writ/core";
import { sha256Hex } from "@writ/core/backend";
import { integer, text } from "../sql/row-values.js";
import type { SqlDriver, SqlTransaction } from "../sql/sql-driver.js";

interface JournalEntry {
  readonly idx: number;
  readonly tag: string;
}

export interface Migration {
  readonly index: number;
  readonly tag: string;
  readonly hash: string;
  readonly statements: readonly string[];
}

const MIGRATIONS_TABLE = "writ_schema_migrations";

/** The drizzle-kit migrations shipped with this package for a dialect, in order. */
export function loadMigrations(dialect: "sqlite" | "postgres"): Migration[] {
  const folder = new URL(`../../migrations/${dialect}/`, import.meta.url);
  const journal = JSON.parse(readFileSync(new URL("meta/_journal.json", folder), "utf8")) as {
    entries: JournalEntry[];
  };
  return journal.entries.map(({ idx, tag }) => {
    const body = readFileSync(new URL(`${tag}.sql`, folder), "utf8");
    return {
      index: idx,
      tag,
      hash: sha256Hex(body),
      statements: body
        .split("--> statement-breakpoint")
        .map((statement) => statement.trim())
        .filter((statement) => statement.replace(/--[^\n]*/g, "").trim().length > 0),
    };
  });
}

export interface MigrateOptions {
  /** Apply what is missing (true) or only check that the schema is current (false). */
  readonly apply: boolean;
  /** Postgres: the schema the tables live in (made current while migrating). */
  readonly schema?: string;
  /** Names the store in errors, without secrets. */
  readonly where: string;
}

/**
 * Brings the database to this code's schema, in one transaction. Refuses a
 * database migrated by newer code (`store.schema_too_new`) and one whose
 * applied migrations differ from this code's (`store.corrupt`).
 */
export async function applyMigrations(driver: SqlDriver, options: MigrateOptions): Promise<void> {
  const migrations = loadMigrations(driver.dialect);
  await driver.transaction(async (tx) => {
    if (driver.dialect === "postgres") {
      const schema = quoteIdentifier(options.schema ?? "public");
      // Concurrent openers of one schema take turns; the loser finds everything applied.
      await tx.all("SELECT pg_advisory_xact_lock(hashtext(?))", [
        `writ:migrate:${options.schema ?? "public"}`,
      ]);
      if (options.apply) await tx.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.run(`SET LOCAL search_path TO ${schema}`);
    }
    const exists = await migrationsTableExists(tx, driver.dialect, options.schema ?? "public");
    if (!exists && driver.dialect === "sqlite") {
      const [other] = await tx.all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1",
      );
      // Another application's database: never add Writ's tables to it.
      if (other) {
        throw new WritError(
          "store.corrupt",
          `${options.where} is a SQLite database of something else, not a Writ store: point the backend at the Writ store's file.`,
        );
      }
    }
    if (!exists && !options.apply) {
      throw new WritError(
        "store.schema_too_old",
        `${options.where} has no Writ schema yet: open it once with migrations enabled (a role that owns the schema).`,
      );
    }
    if (!exists) {
      await tx.run(
        `CREATE TABLE ${MIGRATIONS_TABLE} (idx integer PRIMARY KEY NOT NULL, tag text NOT NULL, hash text NOT NULL, applied_at ${driver.dialect === "postgres" ? "bigint" : "integer"} NOT NULL)`,
      );
    }
    const applied = (
      await tx.all(`SELECT idx, tag, hash FROM ${MIGRATIONS_TABLE} ORDER BY idx`)
    ).map((row) => ({
      index: integer(row, "idx"),
      tag: text(row, "tag"),
      hash: text(row, "hash"),
    }));
    const latest = migrations[migrations.length - 1];
    const newest = applied[applied.length - 1];
    if (newest && (!latest || newest.index > latest.index)) {
      throw new WritError(
        "store.schema_too_new",
        `${options.where} was migrated by a newer Writ (schema ${newest.tag}; this code knows up to ${latest?.tag ?? "none"}). Upgrade @writ/store before opening it.`,
        { name: newest.tag },
      );
    }
    for (const done of applied) {
      const known = migrations.find((migration) => migration.index === done.index);
      if (!known || known.tag !== done.tag || known.hash !== done.hash) {
        throw new WritError(
          "store.corrupt",
          `${options.where} records migration ${done.tag}, which differs from this code's; the schema was changed outside Writ.`,
          { name: done.tag },
        );
      }
    }
    const pending = migrations.filter(
      (migration) => !applied.some((done) => done.index === migration.index),
    );
    const missing = pending[pending.length - 1];
    if (missing && !options.apply) {
      throw new WritError(
        "store.schema_too_old",
        `${options.where} is missing migrations up to ${missing.tag}: open it once with migrations enabled (a role that owns the schema).`,
        { name: missing.tag },
      );
    }
    for (const migration of pending) {
      if (driver.multiStatement) await tx.run(migration.statements.join(";\n"));
      else for (const statement of migration.statements) await tx.run(statement);
      await tx.run(
        `INSERT INTO ${MIGRATIONS_TABLE} (idx, tag, hash, applied_at) VALUES (?, ?, ?, ?)`,
        [migration.index, migration.tag, migration.hash, Date.now()],
      );
    }
  });
}

async function migrationsTableExists(
  tx: SqlTransaction,
  dialect: "sqlite" | "postgres",
  schema: string,
): Promise<boolean> {
  const rows =
    dialect === "sqlite"
      ? await tx.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [
          MIGRATIONS_TABLE,
        ])
      : await tx.all(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
          [schema, MIGRATIONS_TABLE],
        );
  return rows.length > 0;
}

/** Quotes a Postgres identifier (schema names come from options). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
