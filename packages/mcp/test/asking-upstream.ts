import { CreateMessageResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Sdk, TestServer, ToolResult } from "./sdk-generations.js";

/** The low-level Server behind an McpServer, in what both SDK generations have. */
interface LowLevelServer {
  createMessage(params: Record<string, unknown>): Promise<{ content: { text?: string } }>;
  listRoots(): Promise<{ roots: unknown[] }>;
  getClientCapabilities(): Record<string, unknown> | undefined;
}

const text = (value: unknown): ToolResult => ({
  content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value) }],
});

const question = (prompt: unknown) => ({
  messages: [{ role: "user", content: { type: "text", text: String(prompt) } }],
  maxTokens: 16,
});

/**
 * An MCP server that asks its client things, the ways an SDK lets a server
 * ask: outside any request (`server.createMessage()`, which the SDK sends on
 * the session's standalone stream) and within the call (on the call's own
 * stream); and that tells what its client declared.
 */
export function askingServer(sdk: Sdk): TestServer {
  const server = sdk.server("asking");
  const low = (server.sdk as unknown as { server: LowLevelServer }).server;
  const prompt = { inputSchema: { prompt: z.string() } };
  server.registerTool("ask_outside", prompt, async ({ prompt: asked }) => {
    const answer = await low.createMessage(question(asked));
    return text(answer.content.text ?? "");
  });
  server.registerTool("ask_within", prompt, async ({ prompt: asked }, context) => {
    const answer = (await (sdk.generation === "v1"
      ? (context as { sendRequest(r: unknown, s: unknown): Promise<unknown> }).sendRequest(
          { method: "sampling/createMessage", params: question(asked) },
          CreateMessageResultSchema,
        )
      : (context as { mcpReq: { send(r: unknown): Promise<unknown> } }).mcpReq.send({
          method: "sampling/createMessage",
          params: question(asked),
        }))) as { content: { text?: string } };
    return text(answer.content.text ?? "");
  });
  server.registerTool("client_capabilities", { inputSchema: {} }, async () =>
    text(low.getClientCapabilities() ?? {}),
  );
  server.registerTool("list_roots", { inputSchema: {} }, async () => text(await low.listRoots()));
  return server;
}
