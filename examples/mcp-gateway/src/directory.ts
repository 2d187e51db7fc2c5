/**
 * Who may do what through the gateway: one user, two agents, each confined
 * to its own folders by conditions on the `path` argument. Tools behind the
 * gateway perform `<upstream>.<tool>` actions: `fs.read_text_file` is
 * server-filesystem's read_text_file behind the upstream named "fs".
 */
import { type AgentIdentity, createAgentIdentity } from "@writ/core";
import type { StoreAdmin } from "@writ/store";

export const USER = "erin";
export const DOCS_BOT = "docs-bot";
export const FINANCE_BOT = "finance-bot";

/** The named set that closes symlink and other path-alias tricks (see canonical-paths.ts). */
export const CANONICAL = "fs.canonical";

/** The folders, under one data root served by server-filesystem. */
export function folders(root: string) {
  return {
    public: `${root}/public/`,
    finance: `${root}/finance/`,
    reports: `${root}/finance/reports/`,
  };
}

/**
 * Erin, who runs operations, may list and read everything under the data
 * root and write finance reports. Every path must be canonical.
 */
export function erinPermissions(root: string): string {
  const f = folders(root);
  const p = (prefix: string) => `path startsWith ${JSON.stringify(prefix)}, path in @${CANONICAL}`;
  return [
    `fs.list_directory(${p(`${root}/`)})`,
    `fs.read_text_file(${p(`${root}/`)})`,
    `fs.write_file(${p(f.reports)})`,
  ].join("\n");
}

/** Agents' policies: docs-bot only ever reads public/, finance-bot only finance/. */
export function policies(root: string): Readonly<Record<string, string>> {
  const f = folders(root);
  const under = (prefix: string) => `path startsWith ${JSON.stringify(prefix)}`;
  return {
    [DOCS_BOT]: [
      `fs.list_directory(${under(f.public)})`,
      `fs.read_text_file(${under(f.public)})`,
    ].join("\n"),
    [FINANCE_BOT]: [
      `fs.read_text_file(${under(f.finance)})`,
      `fs.write_file(${under(f.reports)})`,
    ].join("\n"),
  };
}

export interface Bots {
  readonly docsBot: AgentIdentity;
  readonly financeBot: AgentIdentity;
}

/** Registers Erin and the two agents, each with a fresh key for this run. */
export async function registerDirectory(store: StoreAdmin, root: string): Promise<Bots> {
  const docsBot = createAgentIdentity(DOCS_BOT);
  const financeBot = createAgentIdentity(FINANCE_BOT);
  const policy = policies(root);
  await store.putUser({ id: USER, permissions: erinPermissions(root) });
  for (const agent of [docsBot, financeBot]) {
    await store.putAgent({
      id: agent.id,
      policy: policy[agent.id] ?? "",
      keys: [agent.key.publicJwk],
    });
  }
  return { docsBot, financeBot };
}
