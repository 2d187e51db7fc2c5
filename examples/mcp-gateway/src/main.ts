/**
 * `pnpm start`: the gateway in front of server-filesystem on a fresh data
 * folder, with docs-bot (LangChain) and finance-bot (MCP SDK Client) calling
 * through it. The store is the embedded default (./.writ/, or $WRIT_DIR).
 */
import { join, resolve } from "node:path";
import { sqliteBackend } from "@writ/store";
import { createDataFolder } from "./data-folder.js";
import type { AgentCall } from "./docs-bot.js";
import { runMcpGateway } from "./mcp-gateway.js";
import { chooseDocsModel } from "./models.js";

const data = createDataFolder();
const store = await sqliteBackend({
  path: join(resolve(process.env.WRIT_DIR ?? ".writ"), "writ.db"),
});
const show = (calls: readonly AgentCall[]) => {
  for (const call of calls) {
    const path = String(call.args.path ?? "").replace(data.root, "<data>");
    console.log(`  ${call.ok ? "✓" : "✗"} ${call.tool.padEnd(15)}${path}`);
    if (!call.ok) console.log(`      ${call.text}`);
  }
};
try {
  const { model, description } = await chooseDocsModel(data.root);
  const port = process.env.PORT ? Number(process.env.PORT) : 0;
  const result = await runMcpGateway({ store, root: data.root, docsModel: model, port });
  console.log(
    `Writ example: MCP gateway at ${result.url} → server-filesystem on ${data.root} (<data>)`,
  );
  console.log(`\ndocs-bot (LangChain + @langchain/mcp-adapters, model ${description})`);
  console.log(`  offered: ${result.docsBot.tools.join(", ")}`);
  show(result.docsBot.calls);
  console.log(`  docs-bot: “${result.docsBot.answer}”`);
  console.log("\nfinance-bot (MCP SDK Client)");
  console.log(`  offered: ${result.financeBot.tools.join(", ")}`);
  show(result.financeBot.calls);
  console.log("\nDecisions recorded by the gateway:");
  for (const row of result.rows.filter((r) => r.kind === "decision")) {
    const { path, operator } = row.detail ?? {};
    const why = path
      ? ` (${path}: ${operator === "inSet" ? "not in @fs.canonical" : operator})`
      : "";
    console.log(
      `  ${row.agent?.padEnd(12)} ${row.action?.padEnd(18)} ${row.decision?.padEnd(6)} ${row.reason}${why}`,
    );
  }
  const { ok, rows, chains } = result.verification;
  console.log(`\nLedger ${ok ? "verified" : "BROKEN"}: ${rows} rows in ${chains} chain(s).`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await store.close();
  data.remove();
}
