import { userInfo } from "node:os";
import { API_KEY_SCOPES, type ApiKeyScope } from "@writ/store";
import { allPages } from "../all-pages.js";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

/** A duration ahead (`30d`, `12h`, `90m`) or a time (ISO 8601, epoch ms): when a key stops working. */
function expiryOf(value: string): number {
  const span = /^(\d+)(m|h|d)$/.exec(value);
  const time = span
    ? Date.now() +
      Number(span[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as "m" | "h" | "d"]
    : /^\d+$/.test(value)
      ? Number(value)
      : Date.parse(value);
  if (!Number.isFinite(time) || time <= Date.now()) {
    throw new UsageError(
      "--expires must be a time ahead: a span like 30d or 12h, ISO 8601, or epoch ms.",
      "api-keys create",
    );
  }
  return time;
}

export const apiKeyCommands: Command[] = [
  {
    name: "api-keys create",
    summary: "Create an API key for the Writ server (shown once; the store keeps only its hash)",
    options: {
      tenant: {
        type: "string",
        value: "id",
        description: "Confine it to a tenant (default: an operator key, all tenants).",
      },
      scope: {
        type: "string",
        multiple: true,
        value: API_KEY_SCOPES.join("|"),
        description:
          "admin (everything), approve (read and decide approvals), read, or guard (what a remote guard needs). Default admin.",
      },
      label: { type: "string", value: "text", description: "What it is for." },
      expires: {
        type: "string",
        value: "when",
        description: "When it stops working: 30d, 12h, ISO 8601 or epoch ms (default never).",
      },
      json: { type: "boolean", description: "Print the key and its record as JSON." },
    },
    async run(context) {
      const { out, string, list } = context;
      const scopes = list("scope");
      for (const scope of scopes) {
        if (!API_KEY_SCOPES.includes(scope as ApiKeyScope))
          throw new UsageError(
            `--scope must be one of ${API_KEY_SCOPES.join(", ")}.`,
            "api-keys create",
          );
      }
      const expires = string("expires");
      const { key, apiKey } = await (await context.target()).admin.createApiKey({
        ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
        ...(scopes.length > 0 ? { scopes: scopes as ApiKeyScope[] } : {}),
        ...(string("label") ? { label: string("label") as string } : {}),
        ...(expires === undefined ? {} : { expiresAt: expiryOf(expires) }),
        // Through a running server its API key is recorded instead.
        by: `cli:${userInfo().username}`,
      });
      if (context.flag("json"))
        out.data({ key, id: apiKey.id, tenant: apiKey.tenant ?? null, scopes: apiKey.scopes });
      else {
        out.line(key);
        out.note(
          `API key ${apiKey.id} (${apiKey.scopes.join(", ")}${apiKey.tenant ? `, tenant ${apiKey.tenant}` : ", all tenants"}${apiKey.expiresAt ? `, until ${out.time(apiKey.expiresAt)}` : ""}): shown once, store it as a secret. Every server on this store accepts it now.`,
        );
      }
      return EXIT_CODES.ok;
    },
  },
  {
    name: "api-keys list",
    summary: "The API keys the Writ server accepts (ids and scopes; secrets are never stored)",
    options: { tenant: { type: "string", value: "id", description: "Only this tenant's." } },
    reads: true,
    async run(context) {
      const { out, string } = context;
      const { admin } = await context.target();
      const keys = await allPages((page) =>
        admin.listApiKeys({
          ...page,
          ...(string("tenant") ? { tenant: string("tenant") as string } : {}),
        }),
      );
      if (out.json) out.data(keys);
      else
        out.table(
          ["ID", "TENANT", "SCOPES", "LABEL", "CREATED", "LAST USED", "STATE"],
          keys.map((key) => [
            key.id,
            key.tenant ?? out.colors.dim("(all)"),
            key.scopes.join(", "),
            key.label ?? "",
            out.time(key.createdAt),
            key.lastUsedAt === undefined ? out.colors.dim("never") : out.time(key.lastUsedAt),
            key.revoked
              ? out.colors.red("revoked")
              : key.expiresAt !== undefined && key.expiresAt <= Date.now()
                ? out.colors.yellow("expired")
                : out.colors.green("active"),
          ]),
          "(no API keys)",
        );
      return EXIT_CODES.ok;
    },
  },
  {
    name: "api-keys revoke",
    summary: "Revoke an API key: every server on this store refuses it at once",
    usage: "<id> [--reason <text>]",
    maxPositionals: 1,
    options: {
      reason: { type: "string", value: "text", description: "Why (kept in the ledger)." },
    },
    async run(context) {
      const { out, string } = context;
      const id = context.positional(0, "id");
      const { admin } = await context.target();
      if (!(await admin.getApiKey(id))) {
        out.error(`No API key ${id}.`);
        return EXIT_CODES.notFound;
      }
      const reason = string("reason");
      await admin.revoke({
        kind: "api_key",
        id,
        ...(reason === undefined ? {} : { reason }),
        by: `cli:${userInfo().username}`,
      });
      out.done(`API key ${id} revoked; every server on this store refuses it now`);
      return EXIT_CODES.ok;
    },
  },
];
