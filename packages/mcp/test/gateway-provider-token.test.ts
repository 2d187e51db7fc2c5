import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createGuard, type Guard } from "@writ/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrokerWorld, createBrokerWorld } from "../../broker/test/support/broker-world.js";
import { connectWithWrit, createGateway, type Gateway, WRIT_META } from "../src/index.js";
import { closeServer, loopbackServer } from "./gateway-fixture.js";

/** The Authorization header of every tools/call the upstream received. */
const toolCallAuthorizations: string[] = [];
let world: BrokerWorld;
let gateway: Gateway;
let gatewayUrl: string;
let gatewayGuard: Guard;
const closers: (() => Promise<void>)[] = [];

/** An MCP server that calls a mail API as the user: it wants the user's own provider token. */
async function mailUpstream(): Promise<string> {
  const { server, origin } = await loopbackServer();
  closers.push(() => closeServer(server));
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const message = body === "" ? undefined : JSON.parse(body);
      if (message?.method === "tools/call")
        toolCallAuthorizations.push(req.headers.authorization ?? "");
      const mcp = new McpServer({ name: "mail-upstream", version: "1.0.0" });
      mcp.registerTool("send_mail", {}, async () => ({
        content: [{ type: "text", text: "sent" }],
      }));
      const transport = new StreamableHTTPServerTransport({});
      res.on("close", () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res, message);
    });
  });
  return `${origin}/mcp`;
}

beforeAll(async () => {
  world = await createBrokerWorld();
  const upstreamUrl = await mailUpstream();
  const { server, origin } = await loopbackServer();
  closers.push(() => closeServer(server));
  gatewayUrl = `${origin}/mcp`;
  gatewayGuard = await createGuard({
    backend: world.store,
    issuer: await world.store.issuerKeys(),
    audience: gatewayUrl,
    clock: world.clock,
  });
  const guard = gatewayGuard;
  closers.push(() => guard.close());
  gateway = createGateway({
    guard,
    upstreams: {
      mail: {
        url: upstreamUrl,
        actions: { send_mail: "email.send" },
        providerToken: { provider: "mail" },
      },
    },
    credentials: world.anotherBroker({ guard }),
  });
  server.on("request", gateway.handle);
  await gateway.ready();
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  for (const close of closers.reverse()) await close();
  await world?.close();
});

async function sendMail(user: string) {
  const client = new Client({ name: "provider-token-test", version: "1.0.0" });
  await connectWithWrit(client, gatewayUrl, { session: await world.session(user) });
  try {
    return await client.callTool({ name: "send_mail", arguments: { to: "carol@example.com" } });
  } finally {
    await client.close();
  }
}

describe("an HTTP upstream that calls a provider as the user", () => {
  it("gets nothing for a user who never connected the provider: the call is refused before it leaves", async () => {
    const result = await sendMail("bob");
    expect(result.isError).toBe(true);
    expect(result._meta?.[WRIT_META.decision]).toEqual({
      effect: "error",
      code: "credential.not_connected",
    });
    expect(toolCallAuthorizations).toEqual([]);
  });

  it("receives the user's own provider token, scoped to the call's action, instead of a Writ token", async () => {
    await world.connect("alice");
    const result = await sendMail("alice");
    expect(result.isError).toBeFalsy();
    expect(toolCallAuthorizations).toHaveLength(1);
    const token = toolCallAuthorizations[0]?.replace(/^(Bearer|DPoP) /, "") ?? "";
    expect(world.seenTokens).toContain(token);
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    expect(claims.scope.split(" ")).toEqual(["mail.send"]);
  });

  it("is refused at start without a broker that knows the provider, or on a stdio upstream", () => {
    const guard = gatewayGuard;
    const providerToken = { provider: "mail" };
    expect(() =>
      createGateway({
        guard,
        upstreams: { mail: { url: "http://127.0.0.1:9/mcp", providerToken } },
      }),
    ).toThrow(/needs createGateway\(\{ credentials \}\)/);
    const credentials = {
      providers: ["calendar"],
      getAccessToken: () => Promise.reject(new Error("unused")),
    };
    expect(() =>
      createGateway({
        guard,
        credentials,
        upstreams: { mail: { url: "http://127.0.0.1:9/mcp", providerToken } },
      }),
    ).toThrow(/a broker that knows that provider/);
    expect(() =>
      createGateway({
        guard,
        credentials: { ...credentials, providers: ["mail"] },
        // JavaScript callers can write what the types forbid.
        upstreams: { mail: { command: process.execPath, providerToken } as never },
      }),
    ).toThrow(/cannot carry a user's token/);
  });
});
