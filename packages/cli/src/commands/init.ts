import { isPrincipalId } from "@writ/core/backend";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { ProjectConfig } from "../project/project.js";
import { describeStore, openStore, type StoreLocation } from "../project/project-store.js";
import { UsageError } from "../usage-error.js";

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const initCommand: Command = {
  name: "init",
  summary:
    "Create .writ/: a store (embedded SQLite, or Postgres with --database-url), an issuer key and the CLI's operator API key",
  options: {
    issuer: {
      type: "string",
      value: "id",
      description: "The issuer id root writs carry (default writ).",
    },
    schema: {
      type: "string",
      value: "name",
      description: "Postgres: the schema Writ's tables live in (default public).",
    },
  },
  async run({ project, io, out, string }) {
    if (project.exists()) {
      out.error(`${project.dir} already holds a Writ project; nothing was changed.`);
      return EXIT_CODES.failed;
    }
    const issuer = string("issuer") ?? "writ";
    if (!isPrincipalId(issuer)) throw new UsageError(`Invalid issuer id "${issuer}".`, "init");
    const databaseUrl = string("database-url") ?? io.env.WRIT_DATABASE_URL;
    const schema = string("schema");
    if (schema !== undefined && databaseUrl === undefined) {
      throw new UsageError(
        "--schema is for a Postgres store: pass --database-url (or set WRIT_DATABASE_URL) too.",
        "init",
      );
    }
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new UsageError(
        `--schema must be a lower-case Postgres identifier (letters, digits, _), not "${schema}".`,
        "init",
      );
    }
    const stored: ProjectConfig["store"] =
      databaseUrl === undefined
        ? { kind: "sqlite", path: "writ.db" }
        : { kind: "postgres", ...(schema === undefined ? {} : { schema }) };
    const location: StoreLocation =
      databaseUrl === undefined
        ? { kind: "sqlite", path: project.path("writ.db"), issuer }
        : {
            kind: "postgres",
            url: databaseUrl,
            issuer,
            ...(schema === undefined ? {} : { schema }),
          };
    // The SQLite file lives in the project folder; a Postgres database that
    // cannot be reached leaves no project behind.
    if (location.kind === "sqlite") project.create({ issuer, store: stored });
    const store = await openStore(location, { create: true });
    let kid: string;
    try {
      kid = (await store.issuerKeys()).active.kid;
      const { key } = await store.createApiKey({ label: "writ CLI (operator)", by: "writ init" });
      if (location.kind === "postgres") project.create({ issuer, store: stored });
      project.saveCredentials(key);
    } finally {
      await store.close();
    }
    const { bold, dim, cyan } = out.colors;
    out.line(`${bold("Created")} ${project.dir}`);
    if (location.kind === "sqlite") {
      out.line(
        `  writ.db           ${dim("the store: directory, revocations, ledger, issuer keys, API key hashes (owner-only)")}`,
      );
    } else {
      out.line(
        `  store             ${describeStore(location)} ${dim("(its URL is not kept here: give it to every command with --database-url or WRIT_DATABASE_URL)")}`,
      );
    }
    out.line(`  issuer            ${issuer}, key ${kid}`);
    out.line(`  credentials.json  ${dim("this CLI's operator API key (secret)")}`);
    out.line("");
    out.line("Next:");
    out.line(`  ${cyan('writ roles put support --grants "refunds.approve(amount < 100)"')}`);
    out.line(`  ${cyan("writ users put alice --role support")}`);
    out.line(`  ${cyan('writ agents create support-bot --policy "refunds.*"')}`);
    out.line(`  ${cyan("writ issue --user alice --agent support-bot")}`);
    out.line(`  ${cyan("writ serve")}   ${dim("share this store with agents in other processes")}`);
    return EXIT_CODES.ok;
  },
};
