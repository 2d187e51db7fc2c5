/**
 * docs-bot: a LangChain agent whose tools are the gateway's, loaded with
 * @langchain/mcp-adapters. Writ is in the MCP client, not in the agent:
 * connectWithWrit makes every request carry the writ and every tools/call a
 * proof signed for exactly that call.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ToolMessage } from "@langchain/core/messages";
import { loadMcpTools } from "@langchain/mcp-adapters";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Session } from "@writ/core";
import { connectWithWrit } from "@writ/mcp";
import { createAgent } from "langchain";

export interface AgentCall {
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly ok: boolean;
  /** What the agent was shown: the tool's text, or the refusal. */
  readonly text: string;
}

export interface DocsBotRun {
  /** The tools the gateway offered this writ. */
  readonly tools: readonly string[];
  readonly calls: readonly AgentCall[];
  readonly answer: string;
}

const SYSTEM_PROMPT =
  "You answer questions from the company's files. Use the file tools; give absolute paths.";

export async function runDocsBot(options: {
  readonly url: string;
  readonly session: Session;
  readonly model: BaseChatModel;
  readonly question: string;
}): Promise<DocsBotRun> {
  const { url, session, model } = options;
  const client = new Client({ name: "docs-bot", version: "1.0.0" });
  await connectWithWrit(client, url, { session });
  try {
    const tools = await loadMcpTools("files", client); // only the tools this writ could ever use
    const agent = createAgent({ model, tools, systemPrompt: SYSTEM_PROMPT });
    const result = await agent.invoke({ messages: [{ role: "user", content: options.question }] });
    // Pair each tool call the model made with the tool message it got back.
    const asked = new Map<string, { name: string; args: Record<string, unknown> }>();
    for (const message of result.messages) {
      for (const call of (
        message as { tool_calls?: { id?: string; name: string; args: Record<string, unknown> }[] }
      ).tool_calls ?? []) {
        if (call.id) asked.set(call.id, call);
      }
    }
    const calls = result.messages.filter(ToolMessage.isInstance).map((message) => {
      const call = asked.get(message.tool_call_id);
      return {
        tool: call?.name ?? String(message.name),
        args: call?.args ?? {},
        ok: message.status !== "error",
        text: message.text,
      };
    });
    return {
      tools: tools.map((tool) => tool.name).sort(),
      calls,
      answer: result.messages.at(-1)?.text ?? "",
    };
  } finally {
    await client.close();
  }
}
