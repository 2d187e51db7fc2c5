// Editing grants in the text form: checked as you type by the server's parser, with a what-if before saving.
import { announce, api } from "./console.js";
import "./revoke.js";

const form = document.getElementById("grants-form");
const textarea = document.getElementById("grants");
const status = document.getElementById("grants-status");
const result = document.getElementById("what-if-result");
const SAVE = {
  users: ["permissions", "permissions"],
  roles: ["", "permissions"],
  agents: ["policy", "policy"],
};
let timer;
let latest = 0;

const text = () =>
  textarea.value
    .split("\n")
    .filter((line) => line.trim() !== "")
    .join("; ");

function showError(verdict) {
  textarea.setAttribute("aria-invalid", "true");
  status.replaceChildren();
  const message = document.createElement("p");
  message.className = "error";
  message.textContent = verdict.message;
  status.append(message);
  if (verdict.column !== undefined) {
    // The parser counts in the joined text: show that line with a caret under the column.
    const joined = text().split("\n")[(verdict.line ?? 1) - 1] ?? "";
    const pre = document.createElement("pre");
    pre.className = "caret mono";
    pre.textContent = `${joined}\n${" ".repeat(Math.max(0, verdict.column - 1))}^`;
    status.append(pre);
  }
}

async function validate() {
  const ticket = ++latest;
  const verdict = await api("/v1/grants/validate", { method: "POST", body: { text: text() } });
  if (ticket !== latest) return undefined;
  if (verdict.ok) {
    textarea.setAttribute("aria-invalid", "false");
    const ok = document.createElement("p");
    ok.className = "hint";
    ok.textContent = `Valid: ${verdict.grants.length} grant${verdict.grants.length === 1 ? "" : "s"}.`;
    status.replaceChildren(ok);
  } else showError(verdict);
  return verdict;
}

textarea?.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(validate, 150);
});

function cell(row, content, className) {
  const td = row.insertCell();
  td.textContent = content;
  if (className) td.className = className;
  return td;
}

function effect(decision) {
  if (!decision) return "—";
  const words = {
    allow: "allowed",
    deny: "denied",
    approval_required: "needs approval",
    unknown: "cannot tell",
  };
  return `${words[decision.effect] ?? decision.effect} (${decision.code})`;
}

document.getElementById("what-if")?.addEventListener("click", async () => {
  const verdict = await validate();
  if (!verdict?.ok) return;
  const subject = { kind: form.dataset.kind.slice(0, -1), id: form.dataset.id };
  try {
    const report = await api("/v1/policies/what-if", {
      method: "POST",
      body: { subject, grants: text(), limit: 100 },
    });
    const summary = document.createElement("p");
    summary.id = "what-if-summary";
    summary.textContent = `Replayed ${report.examined} recent decision${report.examined === 1 ? "" : "s"}: ${report.changed} would change${report.skipped ? `, ${report.skipped} could not be replayed` : ""}.`;
    const table = document.createElement("table");
    table.id = "what-if-table";
    table
      .createTHead()
      .insertRow()
      .append(
        ...["Time", "User", "Chain", "Action", "Now", "With this change"].map((label) => {
          const th = document.createElement("th");
          th.scope = "col";
          th.textContent = label;
          return th;
        }),
      );
    const body = table.createTBody();
    for (const call of report.calls.filter((entry) => entry.changed)) {
      const row = body.insertRow();
      cell(row, new Date(call.time).toISOString().replace(/\.\d{3}Z$/, "Z"), "mono");
      cell(row, call.user ?? "—");
      cell(row, call.chain.join(" → "));
      cell(row, call.action ?? "—", "mono");
      cell(row, effect(call.before));
      cell(row, effect(call.after));
    }
    result.replaceChildren(summary, ...(body.rows.length > 0 ? [table] : []));
    announce(summary.textContent);
  } catch (failure) {
    result.textContent = failure.message;
  }
});

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const verdict = await validate();
  if (!verdict?.ok) return;
  const [suffix, field] = SAVE[form.dataset.kind];
  const path = `/v1/${form.dataset.kind}/${encodeURIComponent(form.dataset.id)}${suffix ? `/${suffix}` : ""}`;
  try {
    // A role is replaced whole: keep its tenant.
    const tenant =
      form.dataset.kind === "roles" && form.dataset.tenant ? { tenant: form.dataset.tenant } : {};
    await api(path, { method: "PUT", body: { [field]: text(), ...tenant } });
    const saved = document.createElement("p");
    saved.className = "hint";
    saved.id = "saved";
    saved.textContent = "Saved: guards enforce it now, on writs already issued too.";
    status.replaceChildren(saved);
    announce(saved.textContent);
  } catch (failure) {
    showError({ message: failure.message });
  }
});
