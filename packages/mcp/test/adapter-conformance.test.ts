import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import {
  type AdapterHarness,
  type ConformanceResult,
  describeAdapterConformance,
} from "../../../test/adapters/adapter-conformance.js";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";
import { guardMcpServer, withWrit } from "../src/index.js";

/** One tool call through a guarded McpServer, made by the SDK Client carrying the writ and a fresh proof. */
const harness: AdapterHarness = {
  adapter: "mcp",
  async invoke(call): Promise<ConformanceResult> {
    const server = new McpServer({ name: "conformance", version: "1.0.0" });
    server.registerTool(
      call.tool,
      { description: "The conformance suite's tool.", inputSchema: { amount: z.number() } },
      async (args) => ({ content: [{ type: "text", text: await call.execute(args) }] }),
    );
    guardMcpServer(server, { guard: call.guard, actions: { [call.tool]: call.action } });
    const client = withWrit(new Client({ name: "conformance", version: "1.0.0" }), {
      session: call.session,
      audience: call.guard.audience,
      actions: { [call.tool]: call.action },
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    try {
      const result = await client.callTool({ name: call.tool, arguments: call.args });
      const content = Array.isArray(result.content) ? result.content : [];
      return {
        text: content.map((block) => (block.type === "text" ? block.text : "")).join("\n"),
        isError: result.isError === true,
      };
    } finally {
      await client.close();
    }
  },
};

describeAdapterConformance(harness, () => sqliteTestBackend());
