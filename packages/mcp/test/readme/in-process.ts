/** The README's in-process example: an McpServer guarded by Writ, and an agent's Client calling it. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Backend, IssuerKeys, Session } from "@writ/core";
import { createGuard } from "@writ/core";
import { guardMcpServer, withWrit } from "@writ/mcp";
import { z } from "zod";

/** The agent asks the server for a refund of 20 over an in-memory transport; what it answered. */
export async function refundOverMcp(backend: Backend, issuer: IssuerKeys, session: Session) {
  const approve = async ({ amount }: { amount: number }) => ({
    content: [{ type: "text" as const, text: `refunded ${amount}` }],
  });
  const [transport, serverSide] = InMemoryTransport.createLinkedPair();

  const guard = await createGuard({ backend, issuer, audience: "urn:writ:refunds-mcp" });
  const server = new McpServer({ name: "refunds", version: "1.0.0" });
  server.registerTool("approve_refund", { inputSchema: { amount: z.number() } }, approve);
  guardMcpServer(server, { guard, actions: { approve_refund: "refunds.approve" } });
  await server.connect(serverSide);

  // The agent's side: the SDK Client, carrying its session's writ.
  const client = withWrit(new Client({ name: "agent", version: "1.0.0" }), {
    session, // the agent's Session (or a function returning the current one)
    audience: "urn:writ:refunds-mcp", // the server's guard.audience
  });
  await client.connect(transport);
  const result = await client.callTool({ name: "approve_refund", arguments: { amount: 20 } });
  await client.close();
  await guard.close();
  return result;
}
