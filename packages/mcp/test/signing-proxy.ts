import { request } from "node:http";
import type { Session } from "@writ/core";
import { closeServer, loopbackServer } from "./gateway-fixture.js";

/**
 * A loopback proxy that stands in for the gateway for a client that cannot
 * carry a writ (the conformance CLI): it adds `Authorization: DPoP <writ>` to
 * every request and a proof bound to the gateway's URL to every tools/call,
 * and rewrites its own Host and Origin to the gateway's. Any other Host or
 * Origin goes through untouched, so the gateway still judges them.
 */
export async function signingProxy(options: {
  readonly session: Session;
  readonly gateway: string;
  /** The action the gateway maps each tool to. */
  readonly action: (tool: string) => string;
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
      const call = toolCallIn(body.toString("utf8"));
      if (call) {
        headers.dpop = options.session.prove({
          audience: options.gateway,
          action: options.action(call.name),
          tool: call.name,
          args: call.args,
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

function toolCallIn(body: string): { name: string; args: unknown } | undefined {
  try {
    const message = JSON.parse(body) as {
      method?: unknown;
      params?: { name?: unknown; arguments?: unknown };
    };
    if (message.method !== "tools/call" || typeof message.params?.name !== "string")
      return undefined;
    return { name: message.params.name, args: message.params.arguments ?? {} };
  } catch {
    return undefined;
  }
}
