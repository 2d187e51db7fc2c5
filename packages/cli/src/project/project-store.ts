import { join } from "node:path";
import type { StoreBackend } from "@writ/store";
import { UsageError } from "../usage-error.js";
import type { Project } from "./project.js";

/** Where a command's store is: the project's SQLite file, or a Postgres database. */
export type StoreLocation =
  | { readonly kind: "sqlite"; readonly path: string; readonly issuer: string }
  | {
      readonly kind: "postgres";
      readonly url: string;
      readonly schema?: string;
      /** The project's issuer; none for a Postgres store used without a project. */
      readonly issuer?: string;
    };

/**
 * The one store a command uses. A project keeps its store in one place:
 * its SQLite file, or the Postgres database it was created on (`writ init
 * --database-url`), whose URL is given each time (`--database-url`,
 * `WRIT_DATABASE_URL`) since it carries a password and differs between
 * machines. A URL given in a SQLite project, or none in a Postgres one, is a
 * usage error: never two stores at once. Without a project, a URL names a
 * Postgres store on its own.
 */
export function projectStoreLocation(
  project: Project,
  given: { readonly databaseUrl?: string | undefined; readonly schema?: string | undefined },
): StoreLocation {
  const { databaseUrl, schema } = given;
  if (!project.exists()) {
    if (databaseUrl === undefined) project.config(); // says how to create one
    return {
      kind: "postgres",
      url: databaseUrl as string,
      ...(schema === undefined ? {} : { schema }),
    };
  }
  const { store, issuer } = project.config();
  if (store.kind === "sqlite") {
    const path = join(project.dir, store.path);
    if (databaseUrl !== undefined) {
      throw new UsageError(
        `${project.dir} keeps its store in SQLite (${path}), but a Postgres database was named (--database-url or WRIT_DATABASE_URL): a project has one store. Unset it to use this project, or create a Postgres project elsewhere with \`writ init --database-url …\`.`,
      );
    }
    if (schema !== undefined) {
      throw new UsageError(
        `--schema is for a Postgres store; ${project.dir} keeps its store in SQLite.`,
      );
    }
    return { kind: "sqlite", path, issuer };
  }
  if (databaseUrl === undefined) {
    throw new UsageError(
      `${project.dir} keeps its store in PostgreSQL: pass --database-url or set WRIT_DATABASE_URL (the URL is not kept in the project, since it holds a password).`,
    );
  }
  if (schema !== undefined && schema !== (store.schema ?? "public")) {
    throw new UsageError(
      `${project.dir} keeps its store in the Postgres schema "${store.schema ?? "public"}", not "${schema}": drop --schema, or use another project for another store.`,
    );
  }
  return {
    kind: "postgres",
    url: databaseUrl,
    issuer,
    ...(store.schema === undefined ? {} : { schema: store.schema }),
  };
}

/** Names a store in messages, without secrets. */
export function describeStore(location: StoreLocation): string {
  return location.kind === "sqlite"
    ? `the store ${location.path}`
    : `the Postgres store${location.schema === undefined ? "" : ` (schema ${location.schema})`}`;
}

/**
 * Opens the store at `location`. A SQLite store is created only by `writ
 * init` (`create`): for any other command a missing one is store.missing.
 */
export async function openStore(
  location: StoreLocation,
  options: {
    readonly readOnly?: boolean;
    readonly migrate?: boolean;
    readonly create?: boolean;
  } = {},
): Promise<StoreBackend> {
  // Loaded on use: a command that needs no store starts faster.
  const { postgresBackend, sqliteBackend } = await import("@writ/store");
  if (location.kind === "sqlite") {
    return sqliteBackend({
      path: location.path,
      issuer: location.issuer,
      create: options.create === true,
      readOnly: options.readOnly === true ? "auto" : false,
    });
  }
  return postgresBackend({
    url: location.url,
    ...(location.issuer === undefined ? {} : { issuer: location.issuer }),
    ...(location.schema === undefined ? {} : { schema: location.schema }),
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
  });
}
