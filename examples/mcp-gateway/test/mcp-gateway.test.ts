import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SetContext } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { describe, expect, it, onTestFinished } from "vitest";
import { isCanonicalPath } from "../src/canonical-paths.js";
import { createDataFolder } from "../src/data-folder.js";
import { DOCS_BOT, FINANCE_BOT } from "../src/directory.js";
import { runMcpGateway } from "../src/mcp-gateway.js";
import { scriptedDocsModel } from "../src/models.js";

const context: SetContext = {
  user: "erin",
  tenant: undefined,
  agent: DOCS_BOT,
  action: "fs.read_text_file",
  signal: new AbortController().signal,
};

describe("mcp-gateway", () => {
  it("serves two agents through the gateway, each within its own folders", async () => {
    const data = createDataFolder();
    onTestFinished(() => data.remove());
    const store = await sqliteBackend({ path: ":memory:" });
    onTestFinished(() => store.close());
    const { root } = data;
    const result = await runMcpGateway({ store, root, docsModel: scriptedDocsModel(root).model });

    // Each agent is offered only the tools its writ could ever use.
    expect(result.docsBot.tools).toEqual(["list_directory", "read_text_file"]);
    expect(result.financeBot.tools).toEqual(["read_text_file", "write_file"]);

    // docs-bot, through @langchain/mcp-adapters: public files yes; payroll no, neither
    // directly, nor through "..", nor through the symlink in public/.
    expect(result.docsBot.calls.map((call) => [call.tool, call.args.path, call.ok])).toEqual([
      ["list_directory", `${root}/public/`, true],
      ["read_text_file", `${root}/public/handbook.md`, true],
      ["read_text_file", `${root}/finance/payroll.csv`, false],
      ["read_text_file", `${root}/public/../finance/payroll.csv`, false],
      ["read_text_file", `${root}/public/finance-shortcut/payroll.csv`, false],
    ]);
    expect(result.docsBot.calls[1]?.text).toContain("Expenses under $200 need no receipt.");
    for (const refused of result.docsBot.calls.filter((call) => !call.ok)) {
      expect(refused.text).toContain('Denied: the argument "path" is outside');
      expect(refused.text).not.toContain("5400");
    }

    // finance-bot, with the SDK Client: wrote its report, and nothing into public/.
    expect(result.financeBot.calls.map((call) => [call.tool, call.ok])).toEqual([
      ["read_text_file", true],
      ["write_file", true],
      ["write_file", false],
      ["read_text_file", false],
    ]);
    expect(readFileSync(join(root, "finance/reports/q3-summary.md"), "utf8")).toContain(
      "Monthly payroll: 11500",
    );
    expect(existsSync(join(root, "public/q3-summary.md"))).toBe(false);

    // The gateway recorded every decision, naming the constraint that refused.
    const decisions = result.rows.filter((row) => row.kind === "decision");
    expect(decisions.every((row) => row.adapter === "mcp-gateway")).toBe(true);
    expect(
      decisions.map((row) => [row.agent, row.action, row.decision, row.detail?.operator ?? null]),
    ).toEqual([
      [DOCS_BOT, "fs.list_directory", "allow", null],
      [DOCS_BOT, "fs.read_text_file", "allow", null],
      [DOCS_BOT, "fs.read_text_file", "deny", "prefix"],
      [DOCS_BOT, "fs.read_text_file", "deny", "prefix"],
      [DOCS_BOT, "fs.read_text_file", "deny", "inSet"],
      [FINANCE_BOT, "fs.read_text_file", "allow", null],
      [FINANCE_BOT, "fs.write_file", "allow", null],
      [FINANCE_BOT, "fs.write_file", "deny", "prefix"],
      [FINANCE_BOT, "fs.read_text_file", "deny", "prefix"],
    ]);
    expect(result.rows.filter((row) => row.kind === "outcome").map((row) => row.outcome)).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
    ]);
    expect(result.verification.ok).toBe(true);
  });

  it("admits only canonical paths into fs.canonical", () => {
    const data = createDataFolder();
    onTestFinished(() => data.remove());
    const { root } = data;
    const canonical = (path: unknown) => isCanonicalPath(path as string, context);
    expect(canonical(`${root}/public/handbook.md`)).toBe(true);
    expect(canonical(`${root}/public/`)).toBe(true);
    expect(canonical(`${root}/finance/reports/new-file.md`)).toBe(true); // to be written
    expect(canonical(`${root}/public/../finance/payroll.csv`)).toBe(false);
    expect(canonical(`${root}/public/./handbook.md`)).toBe(false);
    expect(canonical(`${root}//public/handbook.md`)).toBe(false);
    expect(canonical("public/handbook.md")).toBe(false);
    expect(canonical(`${root}/public/finance-shortcut/payroll.csv`)).toBe(false); // a symlink
    expect(canonical(`${root}/nowhere/file.md`)).toBe(false);
    expect(canonical(42)).toBe(false);
  });
});
