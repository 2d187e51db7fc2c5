import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  acceptedContent,
  createMcpHandler,
  InMemoryTransport,
  inputRequired,
  McpServer,
} from "@modelcontextprotocol/server";
import { describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { connectWithWrit, guardMcpServer, withWrit } from "../src/index.js";
import { closeServer, loopbackServer } from "./gateway-fixture.js";
import { SDKS } from "./sdk-generations.js";
import { createWorld, type World } from "./world.js";

const PERMISSIONS = "deploy.run(env in [staging, prod])";

/** A v2 McpServer whose deploy tool asks the user to confirm (a multi-round-trip result) before it runs. */
function deployServer(guard: World["guard"]): { server: McpServer; deployed: string[] } {
  const server = new McpServer({ name: "deploy", version: "1.0.0" });
  const deployed: string[] = [];
  server.registerTool(
    "deploy",
    { inputSchema: z.object({ env: z.string() }) },
    async ({ env }, ctx) => {
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, "confirm");
      if (confirmed?.yes !== true) {
        return inputRequired({
          inputRequests: {
            confirm: inputRequired.elicit({
              message: `Deploy to ${env}?`,
              requestedSchema: { type: "object", properties: { yes: { type: "boolean" } } },
            }),
          },
        });
      }
      deployed.push(env);
      return { content: [{ type: "text", text: `deployed to ${env}` }] };
    },
  );
  guardMcpServer(server, { guard, actions: { deploy: "deploy.run" } });
  return { server, deployed };
}

function confirmingClient(modern: boolean): Client {
  const client = new Client(
    { name: "operator", version: "1.0.0" },
    {
      capabilities: { elicitation: {} },
      ...(modern ? { versionNegotiation: { mode: "auto" } } : {}),
    },
  );
  client.setRequestHandler("elicitation/create", async () => ({
    action: "accept",
    content: { yes: true },
  }));
  return client;
}

async function served(build: () => McpServer): Promise<string> {
  const { server, origin } = await loopbackServer();
  const handler = toNodeHandler(createMcpHandler(() => build()));
  server.on("request", (req, res) => void handler(req as never, res));
  onTestFinished(() => closeServer(server));
  return `${origin}/mcp`;
}

describe.runIf(SDKS.some((sdk) => sdk.generation === "v2"))(
  "guardMcpServer on a v2 McpServer whose tool asks for input (multi-round-trip)",
  () => {
    it("on a 2025-11-25 session, guards the call once while the SDK asks the client in between", async () => {
      const w = await createWorld({
        permissions: PERMISSIONS,
        policy: "deploy.*",
        audience: "urn:writ:deploy",
      });
      const { server, deployed } = deployServer(w.guard);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = withWrit(confirmingClient(false), {
        session: w.session,
        audience: "urn:writ:deploy",
      });
      await client.connect(clientSide);
      onTestFinished(() => client.close());
      const result = await client.callTool({ name: "deploy", arguments: { env: "prod" } });
      expect(result.content).toEqual([{ type: "text", text: "deployed to prod" }]);
      expect(deployed).toEqual(["prod"]);
      expect((await w.calls()).map((row) => row.kind)).toEqual(["decision", "outcome"]);
    });

    it("on 2026-07-28, guards each round as a call of its own, each with a fresh proof", async () => {
      let guard: World["guard"] | undefined;
      const url = await served(() => deployServer(guard as World["guard"]).server);
      const w = await createWorld({ permissions: PERMISSIONS, policy: "deploy.*", audience: url });
      guard = w.guard;
      for (const connect of [
        (client: Client) => connectWithWrit(client, url, { session: w.session }),
        (client: Client) =>
          withWrit(client, { session: w.session, audience: url }).connect(
            new StreamableHTTPClientTransport(new URL(url)),
          ),
      ]) {
        const client = confirmingClient(true);
        await connect(client);
        onTestFinished(() => client.close());
        expect(client.getProtocolEra()).toBe("modern");
        const result = await client.callTool({ name: "deploy", arguments: { env: "staging" } });
        expect(result.content).toEqual([{ type: "text", text: "deployed to staging" }]);
      }
      const decisions = (await w.calls()).filter((row) => row.kind === "decision");
      expect(decisions.map((row) => row.decision)).toEqual(["allow", "allow", "allow", "allow"]);
    });
  },
);
