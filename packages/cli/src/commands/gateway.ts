import {
  type Backend,
  createGuard,
  type IssuerKeys,
  type Scalar,
  type SetResolver,
} from "@writ/core";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { waitForSignal } from "./wait-for-signal.js";

export const gatewayCommand: Command = {
  name: "gateway",
  summary:
    'Run the MCP gateway from .writ/config.json\'s "gateway" section: every tool call guarded, until stopped',
  options: {
    host: { type: "string", value: "address", description: "Address to bind (default: loopback)." },
    port: { type: "string", value: "port", description: "Port (default: the resource URL's)." },
    json: { type: "boolean", description: "Print where it listens as one JSON line." },
  },
  async run(context) {
    const { out, project, string } = context;
    const gateway = project.config().gateway;
    if (!gateway) {
      throw new UsageError(
        'Declare the gateway in .writ/config.json: "gateway": { "resource": "http://127.0.0.1:8080/mcp", "upstreams": { … } }.',
        "gateway",
      );
    }
    const target = await context.target();
    let backend: Backend;
    let issuer: IssuerKeys;
    if (target.connection.kind === "remote") {
      const { fetchIssuerKeys, remoteBackend } = await import("@writ/client");
      backend = remoteBackend({ url: target.connection.url, apiKey: target.connection.apiKey });
      issuer = await fetchIssuerKeys({ url: target.connection.url });
    } else {
      backend = target.connection.store;
      issuer = await target.connection.store.issuerKeys();
    }
    // Named sets from `writ apply`: membership is exact, by value and type ("49" is not 49).
    const sets: Record<string, SetResolver> = Object.fromEntries(
      Object.entries(project.sets()).map(([name, values]) => {
        const members = new Set<Scalar>(values);
        return [name, (value: Scalar) => members.has(value)];
      }),
    );
    const guard = await createGuard({ backend, issuer, audience: gateway.resource, sets });
    const { createGateway } = await import("@writ/mcp");
    const running = await createGateway({
      guard,
      upstreams: gateway.upstreams as Parameters<typeof createGateway>[0]["upstreams"],
      ...(target.connection.kind === "remote"
        ? { authorizationServers: [target.connection.url] }
        : {}),
    });
    const port = string("port");
    const bound = await running.listen({
      ...(string("host") ? { host: string("host") as string } : {}),
      ...(port === undefined ? {} : { port: Number(port) }),
    });
    await running.ready();
    if (context.flag("json")) {
      out.line(
        JSON.stringify({ resource: running.resource, ...bound, upstreams: running.upstreams() }),
      );
    } else {
      const upstreams = Object.entries(running.upstreams())
        .map(([name, up]) => `${name} ${up ? out.colors.green("up") : out.colors.red("down")}`)
        .join(", ");
      out.line(
        `${out.colors.green("●")} MCP gateway for ${out.colors.bold(running.resource)} on ${bound.host}:${bound.port}  ${out.colors.dim(`(${upstreams}; Ctrl-C stops)`)}`,
      );
    }
    await waitForSignal();
    await running.close();
    await guard.close();
    if (target.connection.kind === "remote") await backend.close();
    return EXIT_CODES.ok;
  },
};
