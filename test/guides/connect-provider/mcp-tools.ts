// mcp-tools.ts: an MCP server whose tool reads the user's Google Calendar with their token.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { allowedCall, guardMcpServer } from "@writ/mcp";
import { z } from "zod";
import { broker, guard } from "./broker.js";
import { listEvents } from "./google-apis.js";

export const server = new McpServer({ name: "calendar", version: "1.0.0" });

server.registerTool("list_events", { inputSchema: { day: z.string() } }, async ({ day }, extra) => {
  const token = await broker.getAccessToken(allowedCall(extra), "google");
  return { content: [{ type: "text", text: await listEvents(day, token.authorization) }] };
});
guardMcpServer(server, { guard, actions: { list_events: "calendar.read" } });
