import { isPrincipalId } from "@writ/core/backend";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

export const initCommand: Command = {
  name: "init",
  summary: "Create .writ/: an embedded SQLite store, an issuer key and the CLI's operator API key",
  options: {
    issuer: {
      type: "string",
      value: "id",
      description: "The issuer id root writs carry (default writ).",
    },
  },
  async run({ project, out, string }) {
    if (project.exists()) {
      out.error(`${project.dir} already holds a Writ project; nothing was changed.`);
      return EXIT_CODES.failed;
    }
    const issuer = string("issuer") ?? "writ";
    if (!isPrincipalId(issuer)) throw new UsageError(`Invalid issuer id "${issuer}".`, "init");
    const { sqliteBackend } = await import("@writ/store");
    project.create({ issuer, store: { kind: "sqlite", path: "writ.db" } });
    const store = await sqliteBackend({ path: project.path("writ.db"), issuer });
    let kid: string;
    try {
      kid = (await store.issuerKeys()).active.kid;
      const { key } = await store.createApiKey({ label: "writ CLI (operator)", by: "writ init" });
      project.saveCredentials(key);
    } finally {
      await store.close();
    }
    const { bold, dim, cyan } = out.colors;
    out.line(`${bold("Created")} ${project.dir}`);
    out.line(
      `  writ.db           ${dim("the store: directory, revocations, ledger, issuer keys, API key hashes (owner-only)")}`,
    );
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
