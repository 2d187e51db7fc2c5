import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  fetchIssuerKeys,
  type RemoteBackend,
  type RemoteCredentials,
  remoteBackend,
  remoteCredentials,
} from "@writ/client";
import { createGuard, type Guard } from "@writ/core";
import { createWritServer, type ListeningWritServer, type WritServer } from "@writ/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrokerWorld, createBrokerWorld } from "../../broker/test/support/broker-world.js";
import { connectWithWrit, createGateway, type Gateway } from "../src/index.js";
import { closeServer, loopbackServer } from "./gateway-fixture.js";

/**
 * The gateway in a process of its own, without a database connection: its
 * guard runs on the Writ server (remoteBackend) and it gets users' provider
 * tokens from the server's credential broker (remoteCredentials).
 */
let world: BrokerWorld;
let server: WritServer;
let listening: ListeningWritServer;
let guardKey: string;
let gatewayBackend: RemoteBackend;
let gatewayGuard: Guard;
let credentials: RemoteCredentials;
let gateway: Gateway;
let gatewayUrl: string;
const upstreamAuthorizations: string[] = [];
const closers: (() => Promise<void>)[] = [];

async function mailUpstream(): Promise<string> {
  const { server: http, origin } = await loopbackServer();
  closers.push(() => closeServer(http));
  http.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const message = body === "" ? undefined : JSON.parse(body);
      if (message?.method === "tools/call")
        upstreamAuthorizations.push(req.headers.authorization ?? "");
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
  server = await createWritServer({
    store: world.store,
    audience: "urn:writ:server",
    clock: world.clock,
    // The server's broker has no guard: it checks remote calls in its ledger and live state.
    credentials: world.serverBroker(),
  });
  listening = await server.listen({ port: 0 });
  guardKey = (await world.store.createApiKey({ scopes: ["guard"], label: "gateway" })).key;
  const { server: http, origin } = await loopbackServer();
  closers.push(() => closeServer(http));
  gatewayUrl = `${origin}/mcp`;
  gatewayBackend = remoteBackend({ url: listening.url, apiKey: guardKey });
  gatewayGuard = await createGuard({
    backend: gatewayBackend,
    issuer: await fetchIssuerKeys({ url: listening.url }),
    audience: gatewayUrl,
    clock: world.clock,
  });
  credentials = remoteCredentials({
    url: listening.url,
    apiKey: guardKey,
    guard: gatewayGuard,
    providers: ["mail"],
  });
  gateway = createGateway({
    guard: gatewayGuard,
    upstreams: {
      mail: {
        url: await mailUpstream(),
        actions: { send_mail: "email.send" },
        providerToken: { provider: "mail" },
      },
    },
    credentials,
  });
  http.on("request", gateway.handle);
  await gateway.ready();
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await gatewayGuard?.close();
  for (const close of closers.reverse()) await close();
  await listening?.close();
  await world?.close();
});

/** The server's token route, called as a remote guard would, bypassing the client's own checks. */
async function askServer(body: Record<string, string | undefined>) {
  const response = await fetch(`${listening.url}/v1/credentials/access-token`, {
    method: "POST",
    headers: { authorization: `Bearer ${guardKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("provider tokens from the Writ server's broker, for a gateway in another process", () => {
  it("hands the gateway's upstream the user's own token, scoped to the call, and never stores or logs it outside the server", async () => {
    await world.connect("alice");
    const client = new Client({ name: "remote-credentials-test", version: "1.0.0" });
    await connectWithWrit(client, gatewayUrl, { session: await world.session("alice") });
    try {
      const result = await client.callTool({
        name: "send_mail",
        arguments: { to: "carol@example.com" },
      });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const token = upstreamAuthorizations[0]?.replace(/^Bearer /, "") ?? "";
    expect(world.seenTokens).toContain(token);
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    expect(claims.scope.split(" ")).toEqual(["mail.send"]);
    const ledger = JSON.stringify((await world.store.queryLedger({ limit: 1000 })).records);
    expect(ledger).not.toContain(token);
  });

  it("gives a token inside an allowed, running call only, as JSON that never shows it", async () => {
    const session = await world.session("alice");
    const call = gatewayGuard.callFrom(session, {
      action: "email.send",
      tool: "send_mail",
      args: { to: "x@example.com" },
    });
    const denied = await gatewayGuard.authorize(
      gatewayGuard.callFrom(session, { action: "admin.wipe", tool: "wipe", args: {} }),
    );
    await expect(credentials.getAccessToken(denied as never, "mail")).rejects.toMatchObject({
      code: "credential.outside_call",
    });
    const result = await gatewayGuard.run(call, async (decision) => {
      const token = await credentials.getAccessToken(decision, "mail");
      expect(JSON.stringify(token)).not.toContain(token.value);
      expect(String(token)).not.toContain(token.value);
      expect(token.scopes).toEqual(["mail.send"]);
      return decision;
    });
    if (!("output" in result)) throw new Error("the call was refused");
    const finished = result.output;
    // Over: the client refuses at once, and so does the server when asked directly once the
    // outcome is in its ledger (it rides with the next request, or goes within 10 ms).
    await expect(credentials.getAccessToken(finished, "mail")).rejects.toMatchObject({
      code: "credential.outside_call",
    });
    await gatewayBackend.flush();
    const direct = await askServer({
      callId: finished.callId,
      eventId: finished.eventId,
      provider: "mail",
    });
    expect(direct).toMatchObject({ status: 403, body: { code: "credential.outside_call" } });
    const unknown = await askServer({ callId: "no-call", eventId: "no-event", provider: "mail" });
    expect(unknown).toMatchObject({ status: 403, body: { code: "credential.outside_call" } });
  });

  it("refuses a call whose chain was revoked after it was allowed, even when the caller skips its own guard", async () => {
    const session = await world.session("alice");
    const call = gatewayGuard.callFrom(session, {
      action: "email.send",
      tool: "send_mail",
      args: { to: "y@example.com" },
    });
    await gatewayGuard.run(call, async (decision) => {
      await world.store.revoke({ kind: "hop", id: session.writ.root.claims.jti, reason: "test" });
      const direct = await askServer({
        callId: decision.callId,
        eventId: decision.eventId,
        provider: "mail",
      });
      expect(direct).toMatchObject({ status: 403, body: { code: "revoked.hop" } });
      return "done";
    });
  });
});
