import {
  type Backend,
  createGuard,
  type IssuerKeys,
  type Scalar,
  type SetResolver,
} from "@writ/core";
import type { GatewayEvent } from "@writ/mcp";
import type { Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { Output } from "../output/output.js";
import { gatewayConfig } from "./gateway-config.js";
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
    const config = project.config();
    const { resource, payloads, options } = gatewayConfig(config.gateway, project.dir);
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
    const guard = await createGuard({
      backend,
      issuer,
      audience: resource,
      sets,
      ...(payloads === undefined ? {} : { payloads }),
    });
    const { createGateway } = await import("@writ/mcp");
    const running = createGateway({
      ...(target.connection.kind === "remote"
        ? { authorizationServers: [target.connection.url] }
        : {}),
      // The project's server issues OAuth access tokens with the issuer keys the guard pins.
      ...(config.oauth
        ? { authorizationServer: { issuer: config.oauth.issuer, keys: issuer } }
        : {}),
      ...options,
      guard,
      onEvent: (event) => report(out, event),
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

/** What the operator is told about upstreams, on stderr: a failed stdio server's last words included. */
function report(out: Output, event: GatewayEvent): void {
  switch (event.type) {
    case "upstream.down": {
      // Its last words go in the warning itself, so --json carries them too.
      const lastWords =
        event.stderr === undefined
          ? ""
          : `\n${event.stderr
              .split("\n")
              .map((line) => `  ${event.upstream} stderr │ ${line}`)
              .join("\n")}`;
      out.warn(
        `MCP upstream "${event.upstream}" is down (${event.reason}); retrying in ${event.retryInMs} ms.${lastWords}`,
      );
      return;
    }
    case "upstream.hung":
      out.warn(`MCP upstream "${event.upstream}" stopped answering; restarting it.`);
      return;
    case "tool.shadowed":
      out.warn(
        `Tool "${event.tool}" of "${event.upstream}" is not served: "${event.by}" has one of that name.`,
      );
      return;
    case "tool.unmapped":
    case "tool.invalid":
      out.warn(
        `Tool "${event.tool}" of "${event.upstream}" is not served (${event.type === "tool.invalid" ? event.reason : "no valid action"}).`,
      );
      return;
    case "gateway.error":
      out.warn(`MCP gateway: ${event.reason}`);
      return;
    default:
      return;
  }
}
