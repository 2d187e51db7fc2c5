import type { OAuthServerOptions } from "@writ/server";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { importApiKeyFile } from "../project/import-api-keys.js";
import type { ProjectConfig } from "../project/project.js";
import { openStore, projectStoreLocation } from "../project/project-store.js";
import { UsageError } from "../usage-error.js";
import { gatewayConfig } from "./gateway-config.js";
import { waitForSignal } from "./wait-for-signal.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the Writ server on this project's store (or a Postgres store) until stopped",
  options: {
    host: {
      type: "string",
      value: "address",
      description: "Address to bind (default 127.0.0.1: loopback only).",
    },
    port: {
      type: "string",
      value: "port",
      description: "Port (default 7070; 0 picks a free one).",
    },
    audience: {
      type: "string",
      value: "id",
      description:
        "The audience agent tokens must name (default from config, else urn:writ:<issuer>). Same on every instance.",
    },
    schema: {
      type: "string",
      value: "name",
      description: "Postgres: the schema Writ's tables live in (default public).",
    },
    "no-migrate": {
      type: "boolean",
      description:
        "Postgres: only check the schema is current (for a role granted by grantPostgresWriter).",
    },
    "no-console": {
      type: "boolean",
      description: "Do not serve the console (web UI) at /console.",
    },
    json: { type: "boolean", description: "Print where it listens as one JSON line." },
  },
  async run({ project, io, out, string, flag }) {
    const location = projectStoreLocation(project, {
      databaseUrl: string("database-url") ?? io.env.WRIT_DATABASE_URL,
      schema: string("schema"),
    });
    const config = project.exists() ? project.config() : undefined;
    const port = Number(string("port") ?? 7070);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError("--port must be 0–65535.", "serve");
    const host = string("host") ?? "127.0.0.1";
    if (location.kind === "sqlite") {
      const running = project.server();
      if (running) {
        out.error(`A Writ server already runs on this store (pid ${running.pid}, ${running.url}).`);
        return EXIT_CODES.failed;
      }
    }
    const { createWritServer } = await import("@writ/server");
    const issuer = config?.issuer ?? "writ";
    const store = await openStore(location, { migrate: !flag("no-migrate") });
    if (project.exists()) await importApiKeyFile(project, store, (message) => out.note(message));
    if ((await store.listApiKeys({ limit: 1 })).items.length === 0)
      out.warn("No API keys: nothing can authenticate. Create one with `writ api-keys create`.");
    const audience = string("audience") ?? config?.audience ?? `urn:writ:${issuer}`;
    const server = await createWritServer({
      store,
      audience,
      ...(config?.tokenExchange ? { tokenExchange: config.tokenExchange } : {}),
      ...(config?.console ? { console: config.console } : {}),
      ...(config?.rateLimit ? { rateLimit: config.rateLimit } : {}),
      ...(config?.oauth ? { oauth: oauthOptions(config, project.dir) } : {}),
      ...(flag("no-console") ? { console: { ...config?.console, enabled: false } } : {}),
    });
    const listening = await server.listen({ port, hostname: host });
    if (location.kind === "sqlite") project.saveServer({ url: listening.url, pid: process.pid });
    const where = location.kind === "sqlite" ? "SQLite" : "PostgreSQL";
    if (flag("json")) {
      out.line(
        JSON.stringify({
          url: listening.url,
          audience,
          store: where.toLowerCase(),
          pid: process.pid,
          ...(flag("no-console") ? {} : { console: `${listening.url}/console` }),
        }),
      );
    } else {
      out.line(
        `${out.colors.green("●")} Writ server on ${out.colors.bold(listening.url)}  ${out.colors.dim(`(${where}, audience ${audience}; Ctrl-C stops)`)}`,
      );
      if (!flag("no-console"))
        out.line(
          `  console: ${out.colors.bold(`${listening.url}/console`)}  ${out.colors.dim("(sign in with an API key, e.g. the one in .writ/credentials.json)")}`,
        );
    }
    if (!LOOPBACK.has(host))
      out.warn(`Listening on ${host} without TLS: put it behind a TLS-terminating proxy.`);
    await waitForSignal();
    await listening.close();
    if (location.kind === "sqlite") project.clearServer();
    await store.close();
    out.note("Writ server stopped.");
    return EXIT_CODES.ok;
  },
};

/** The authorization server's options: the gateways it issues tokens for are, unless listed, this project's own, with its key. */
function oauthOptions(config: ProjectConfig, configDir: string): OAuthServerOptions {
  const { resources, ...oauth } = config.oauth as NonNullable<ProjectConfig["oauth"]>;
  if (resources !== undefined) return { ...oauth, resources };
  if (config.gateway === undefined) {
    throw new UsageError(
      '.writ/config.json: "oauth" issues tokens for MCP gateways: declare the project\'s "gateway", or list them in "oauth.resources" ([{ "resource": "<MCP URL>", "key": <its public JWK> }]).',
      "serve",
    );
  }
  const { resource, options } = gatewayConfig(config.gateway, configDir);
  return { ...oauth, resources: [{ resource, key: options.signingKey.publicJwk }] };
}
