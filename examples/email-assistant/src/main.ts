/**
 * `pnpm start`: the email assistant on the embedded store (SQLite in
 * ./.writ/, or $WRIT_DIR), printing each tool call with what the guard
 * decided, what was sent, and the ledger rows of the refused calls.
 */
import { join, relative, resolve } from "node:path";
import { sqliteBackend } from "@writ/store";
import { REQUEST, runEmailAssistant } from "./email-assistant.js";
import { chooseModel } from "./models.js";
import { INJECTED_ADDRESS } from "./workspace.js";

const path = join(resolve(process.env.WRIT_DIR ?? ".writ"), "writ.db");
const { model, description } = await chooseModel();
const store = await sqliteBackend({ path });
try {
  const shown = relative(process.cwd(), path).startsWith("..")
    ? path
    : relative(process.cwd(), path);
  console.log(`Writ example: email assistant  (store ${shown}, model ${description})\n`);
  console.log(`sam: “${REQUEST}”\n`);
  const result = await runEmailAssistant({ store, model });
  for (const call of result.calls) {
    const input = call.input as Record<string, unknown>;
    const subject = `${call.tool.padEnd(15)}${String(input.id ?? input.to ?? "").padEnd(30)}`;
    const steered = input.to === INJECTED_ADDRESS ? "  ← asked for by the partner FAQ" : "";
    console.log(
      call.result.ok
        ? `  ✓ ${subject}${steered}`
        : `  ✗ ${subject}${steered}\n      ${call.result.error}`,
    );
  }
  console.log(`\nemail-assistant: “${result.text}”\n`);
  console.log(`Sent: ${result.sent.map((email) => email.to).join(", ") || "nothing"}`);
  console.log("\nRefusals in the ledger:");
  for (const row of result.rows.filter((r) => r.kind === "decision" && r.decision === "deny")) {
    const detail = row.detail ?? {};
    console.log(
      `  ${new Date(row.time).toISOString()}  ${row.user} → ${row.agent}  ${row.action}  ${row.reason} (path "${detail.path}", hop ${detail.hop})  call ${row.callId}`,
    );
  }
  const { ok, rows, chains } = result.verification;
  console.log(`\nLedger ${ok ? "verified" : "BROKEN"}: ${rows} rows in ${chains} chain(s).`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await store.close();
}
