import { request } from "node:http";
import type { Session } from "@writ/core";
import { closeServer, loopbackServer } from "./gateway-fixture.js";

/**
 * A loopback proxy that stands in for the gateway for a client that cannot
 * carry a writ (the conformance CLI): it adds `Authorization: DPoP <writ>` to
 * every request and a proof bound to the gateway's URL to every request the
 * gateway guards, naming the action the gateway's default rule gives behind
 * the upstream `upstream`, and rewrites its own Host and Origin to the
 * gateway's. Any other Host or Origin goes through untouched, so the gateway
 * still judges them.
 */
export async function signingProxy(options: {
  readonly session: Session;
  readonly gateway: string;
  /** The name of the one upstream behind the gateway, which prefixes its actions. */
  readonly upstream: string;
}): Promise<{ url: string; close(): Promise<void> }> {
  const { server, origin } = await loopbackServer();
  const target = new URL(options.gateway);
  const self = new URL(origin);
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      if (headers.host === self.host) headers.host = target.host;
      if (headers.origin === self.origin) headers.origin = target.origin;
      headers.authorization = `DPoP ${options.session.writ.toString()}`;
      const subject = guardedIn(body.toString("utf8"), options.upstream);
      if (subject) {
        headers.dpop = options.session.prove({
          audience: options.gateway,
          ...subject,
          http: { method: "POST", url: options.gateway },
        });
      }
      const forwarded = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on("error", () => res.destroy());
      res.on("close", () => forwarded.destroy());
      forwarded.end(body);
    });
  });
  return { url: `${origin}${target.pathname}`, close: () => closeServer(server) };
}

/** What a proof for a guarded request names, by the gateway's default rule. */
function guardedIn(
  body: string,
  upstream: string,
): { action: string; tool: string; args: unknown } | undefined {
  try {
    const { method, params } = JSON.parse(body) as {
      method?: unknown;
      params?: { name?: unknown; arguments?: unknown; uri?: unknown };
    };
    if (method === "tools/call" && typeof params?.name === "string") {
      return {
        action: `${upstream}.${params.name}`,
        tool: params.name,
        args: params.arguments ?? {},
      };
    }
    if (method === "prompts/get" && typeof params?.name === "string") {
      return {
        action: `${upstream}.prompts.${params.name}`,
        tool: params.name,
        args: params.arguments ?? {},
      };
    }
    if (
      (method === "resources/read" || method === "resources/subscribe") &&
      typeof params?.uri === "string"
    ) {
      return { action: `${upstream}.resources.read`, tool: method, args: { uri: params.uri } };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
