/**
 * `pnpm start`: the research chain on the embedded store (SQLite in ./.writ/,
 * or $WRIT_DIR), printing each decision with the chain that made the call.
 */
import { join, resolve } from "node:path";
import { formatWritTree, inspectWrit } from "@writ/core";
import type { DelegationNode } from "@writ/store";
import { sqliteBackend } from "@writ/store";
import { USER } from "./directory.js";
import { chooseModels } from "./models.js";
import { runResearchChain } from "./research-chain.js";

const path = join(resolve(process.env.WRIT_DIR ?? ".writ"), "writ.db");
const models = await chooseModels();
const store = await sqliteBackend({ path });
try {
  console.log(`Writ example: research chain  (store ${path}, models ${models.description})`);
  const result = await runResearchChain({
    store,
    models,
    narrator: {
      phase: (title) => console.log(`\n${title}`),
      said: (agent, text) => console.log(`  ${agent}: “${text}”`),
      delegated: (writ) => {
        console.log("\nThe writer's writ:");
        console.log(formatWritTree(inspectWrit(writ)).replace(/^/gm, "  "));
      },
      rows: (rows, inputs) => {
        for (const row of rows) {
          if (row.kind === "revocation") {
            console.log(
              `  ⊘ revoked  hop ${String(row.detail?.id).slice(0, 8)}…  ${row.detail?.reason ?? ""}`,
            );
            continue;
          }
          const mark = row.decision === "allow" ? "✓ allow  " : "✗ deny   ";
          const chain = (row.chain?.agents ?? []).join(" → ");
          const hop = typeof row.detail?.hop === "number" ? ` at hop ${row.detail.hop}` : "";
          const why = row.decision === "allow" ? "" : `  ${row.reason}${hop}`;
          const { channel } = (inputs.get(row.inputHash ?? "") ?? {}) as { channel?: string };
          const tool = `${row.tool ?? ""}${channel ? ` (${channel})` : ""}`;
          console.log(`  ${mark}${chain.padEnd(32)}${tool.padEnd(27)}${why}`.trimEnd());
        }
      },
    },
  });
  console.log("\nThe delegation tree:");
  const visit = (node: DelegationNode, depth: number) => {
    console.log(`  ${"   ".repeat(depth)}└─ ${node.toAgent}${node.revoked ? "  (revoked)" : ""}`);
    for (const child of node.children) visit(child, depth + 1);
  };
  console.log(`  ${USER}`);
  if (result.tree) visit(result.tree, 0);
  const { ok, rows, chains } = result.verification;
  console.log(`\nLedger ${ok ? "verified" : "BROKEN"}: ${rows} rows in ${chains} chain(s).`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await store.close();
}
