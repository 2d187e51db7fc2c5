/**
 * The whole example: start the gateway in front of server-filesystem, issue
 * Erin's writs to two agents, let each work through the gateway, and read
 * back what the ledger recorded.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type LedgerRecord, Session } from "@writ/core";
import type { LedgerVerification, StoreBackend } from "@writ/store";
import { DOCS_BOT, FINANCE_BOT, registerDirectory, USER } from "./directory.js";
import { type DocsBotRun, runDocsBot } from "./docs-bot.js";
import { type FinanceBotRun, runFinanceBot } from "./finance-bot.js";
import { startGateway } from "./gateway.js";
import { question } from "./models.js";

export interface McpGatewayResult {
  readonly url: string;
  readonly docsBot: DocsBotRun;
  readonly financeBot: FinanceBotRun;
  readonly sessions: { readonly docsBot: Session; readonly financeBot: Session };
  readonly rows: readonly LedgerRecord[];
  readonly verification: LedgerVerification;
}

export async function runMcpGateway(options: {
  readonly store: StoreBackend;
  /** The folder served by server-filesystem (see data-folder.ts). */
  readonly root: string;
  /** docs-bot's model; it is given the files' root to build paths. */
  readonly docsModel: BaseChatModel;
  readonly port?: number;
}): Promise<McpGatewayResult> {
  const { store, root } = options;
  const bots = await registerDirectory(store, root);
  const running = await startGateway({
    store,
    root,
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  try {
    const issue = async (agent: typeof bots.docsBot) =>
      new Session(agent, await store.issue({ user: USER, agent: agent.id, key: agent.thumbprint }));
    const sessions = {
      docsBot: await issue(bots.docsBot),
      financeBot: await issue(bots.financeBot),
    };
    const docsBot = await runDocsBot({
      url: running.url,
      session: sessions.docsBot,
      model: options.docsModel,
      question: question(root),
    });
    const financeBot = await runFinanceBot({
      url: running.url,
      session: sessions.financeBot,
      root,
    });
    return {
      url: running.url,
      docsBot,
      financeBot,
      sessions,
      rows: await callRows(store),
      verification: await store.verifyLedger(),
    };
  } finally {
    await running.close();
  }
}

/**
 * The decision and outcome rows this store instance wrote. The gateway
 * answers the caller before it records an outcome, so the count of outcomes
 * is awaited to match the allowed decisions before reading.
 */
async function callRows(store: StoreBackend): Promise<LedgerRecord[]> {
  for (let attempt = 0; ; attempt += 1) {
    const rows = await chainRows(store);
    const allowed = rows.filter(
      (row) => row.kind === "decision" && row.decision === "allow",
    ).length;
    const outcomes = rows.filter((row) => row.kind === "outcome").length;
    if (outcomes >= allowed || attempt === 50) {
      return rows.filter((row) => row.kind === "decision" || row.kind === "outcome");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function chainRows(store: StoreBackend): Promise<LedgerRecord[]> {
  const rows: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryLedger({
      chainId: store.chainId,
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    rows.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return rows.sort((a, b) => a.seq - b.seq);
}

export { DOCS_BOT, FINANCE_BOT };
