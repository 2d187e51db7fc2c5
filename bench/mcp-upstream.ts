/**
 * The upstream of the MCP benchmark, run in a process of its own: an MCP
 * server with one `echo` tool. `http` (default): Streamable HTTP on loopback,
 * a session per client; it prints `listening <url>` and exits when its stdin
 * closes. `stdio`: over its stdin and stdout, as a gateway starts one.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

function echoServer(): Server {
  const server = new Server(
    { name: "bench-upstream", version: "1.0.0" },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: "echo",
        inputSchema: {
          type: "object",
          properties: { message: { type: "string" }, size: { type: "number" } },
        },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, (request) => ({
    content: [{ type: "text", text: String(request.params.arguments?.message) }],
  }));
  return server;
}

if (process.argv.includes("stdio")) {
  await echoServer().connect(new StdioServerTransport());
} else {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    const id = req.headers["mcp-session-id"];
    const known = typeof id === "string" ? sessions.get(id) : undefined;
    if (known) return known.handleRequest(req, res);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
    });
    await echoServer().connect(transport);
    await transport.handleRequest(req, res);
  });
  // Idle keep-alive connections stay open longer than a loaded machine's pauses between calls,
  // so no relay races the server closing one.
  http.keepAliveTimeout = 60_000;
  http.listen(0, "127.0.0.1", () => {
    process.stdout.write(
      `listening http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp\n`,
    );
  });
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}
