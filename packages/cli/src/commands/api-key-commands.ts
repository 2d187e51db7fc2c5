import type { ApiKeyScope } from "@writ/server";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

export const apiKeyCommands: Command[] = [
  {
    name: "api-keys create",
    summary: "Create an API key for `writ serve` (shown once; only its hash is kept)",
    options: {
      tenant: {
        type: "string",
        value: "id",
        description: "Confine it to a tenant (default: an operator key, all tenants).",
      },
      scope: {
        type: "string",
        multiple: true,
        value: "admin|guard",
        description: "admin (everything) or guard (what a remote guard needs). Default admin.",
      },
      label: { type: "string", value: "text", description: "What it is for." },
      json: { type: "boolean", description: "Print the key and its record as JSON." },
    },
    async run(context) {
      const { project, out, string, list } = context;
      project.config();
      const { API_KEY_SCOPES, createApiKey } = await import("@writ/server");
      const scopes = list("scope");
      for (const scope of scopes) {
        if (!API_KEY_SCOPES.includes(scope as ApiKeyScope))
          throw new UsageError(
            `--scope must be one of ${API_KEY_SCOPES.join(", ")}.`,
            "api-keys create",
          );
      }
      const { key, record } = createApiKey({
        ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
        ...(scopes.length > 0 ? { scopes: scopes as ApiKeyScope[] } : {}),
        ...(string("label") ? { label: string("label") as string } : {}),
      });
      project.saveApiKeys([...project.apiKeys(), record]);
      if (context.flag("json"))
        out.data({ key, id: record.id, tenant: record.tenant ?? null, scopes: record.scopes });
      else {
        out.line(key);
        out.note(
          `API key ${record.id} (${record.scopes.join(", ")}${record.tenant ? `, tenant ${record.tenant}` : ", all tenants"}): shown once, store it as a secret. Running servers accept it now.`,
        );
      }
      return EXIT_CODES.ok;
    },
  },
  {
    name: "api-keys list",
    summary: "The API keys `writ serve` accepts (ids and scopes; secrets are never stored)",
    reads: true,
    async run(context) {
      const { project, out } = context;
      project.config();
      const keys = project.apiKeys().map(({ hash: _hash, ...record }) => record);
      if (out.json) out.data(keys);
      else
        out.table(
          ["ID", "TENANT", "SCOPES", "LABEL", "CREATED"],
          keys.map((key) => [
            key.id,
            key.tenant ?? out.colors.dim("(all)"),
            key.scopes.join(", "),
            key.label ?? "",
            out.time(key.createdAt),
          ]),
        );
      return EXIT_CODES.ok;
    },
  },
  {
    name: "api-keys revoke",
    summary: "Stop accepting an API key (running servers pick it up at once)",
    usage: "<id>",
    maxPositionals: 1,
    async run(context) {
      const { project, out } = context;
      const id = context.positional(0, "id");
      const keys = project.apiKeys();
      if (!keys.some((key) => key.id === id)) {
        out.error(`No API key ${id}.`);
        return EXIT_CODES.notFound;
      }
      project.saveApiKeys(keys.filter((key) => key.id !== id));
      out.done(`API key ${id} revoked`);
      return EXIT_CODES.ok;
    },
  },
];
