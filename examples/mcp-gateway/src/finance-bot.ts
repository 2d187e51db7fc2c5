/**
 * finance-bot: no framework and no model, just a job that uses the MCP SDK
 * Client. connectWithWrit is all it takes to call through the gateway.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Session } from "@writ/core";
import { connectWithWrit } from "@writ/mcp";
import type { AgentCall } from "./docs-bot.js";

export interface FinanceBotRun {
  readonly tools: readonly string[];
  readonly calls: readonly AgentCall[];
}

/** Reads payroll, writes a summary where it may, then tries two places it may not. */
export async function runFinanceBot(options: {
  readonly url: string;
  readonly session: Session;
  readonly root: string;
}): Promise<FinanceBotRun> {
  const { url, session, root } = options;
  const client = new Client({ name: "finance-bot", version: "1.0.0" });
  await connectWithWrit(client, url, { session }); // url: the gateway's resource URL
  try {
    const { tools } = await client.listTools(); // only the tools this writ could ever use
    const calls: AgentCall[] = [];
    const call = async (tool: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name: tool, arguments: args });
      const content = (result.content ?? []) as { type: string; text?: string }[];
      const text = content.map((part) => part.text ?? "").join("\n");
      calls.push({ tool, args, ok: result.isError !== true, text });
      return text;
    };
    const payroll = await call("read_text_file", { path: `${root}/finance/payroll.csv` });
    const total = payroll
      .split("\n")
      .slice(1)
      .reduce((sum, line) => sum + (Number(line.split(",")[1]) || 0), 0);
    const summary = `# Q3 payroll\n\nMonthly payroll: ${total}\n`;
    await call("write_file", { path: `${root}/finance/reports/q3-summary.md`, content: summary });
    // Outside its writ: publishing to public/, and reading public files.
    await call("write_file", { path: `${root}/public/q3-summary.md`, content: summary });
    await call("read_text_file", { path: `${root}/public/handbook.md` });
    return { tools: tools.map((tool) => tool.name).sort(), calls };
  } finally {
    await client.close();
  }
}
