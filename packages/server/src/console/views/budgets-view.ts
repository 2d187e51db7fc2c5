import type { BudgetUsage } from "@writ/core/backend";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { timeOf } from "./words.js";

/** Where a budget is set, and the page about it. */
const SUBJECT_LINK = {
  user: (id: string) => `/console/directory/users/${encodeURIComponent(id)}`,
  agent: (id: string) => `/console/directory/agents/${encodeURIComponent(id)}`,
  hop: (id: string) => `/console/delegations/${encodeURIComponent(id)}`,
} as const;

const SCOPE_WORDS = {
  user: "a user's permission or role: every agent's calls for that user",
  agent: "an agent's policy: its calls for every user",
  hop: "a hop: its holder's calls and every hop below it",
} as const;

/**
 * The budgets' open windows: what each has used, what is left, when it
 * resets. A window with no call yet has no counter, so it is not listed.
 */
export function budgetsView(usage: readonly BudgetUsage[]): HtmlEscapedString {
  const rows = [...usage].sort((a, b) => b.used / b.max - a.used / a.max);
  return html`<h1>Budgets</h1>
<p class="hint">Each budget counts every call made under what it is set on, in fixed windows on the store's clock; a call that would take one over is refused (<code>budget.exceeded</code>).</p>
${
  rows.length === 0
    ? html`<p class="panel hint">No budget has been used in its current window.</p>`
    : html`<div class="table-wrap"><table aria-label="Budgets in their current windows"><thead><tr><th scope="col">Set on</th><th scope="col">Budget</th><th scope="col">Used</th><th scope="col">Left</th><th scope="col">Resets</th></tr></thead>
<tbody>${rows.map((counter) => {
        const left = Math.max(0, counter.max - counter.used);
        return html`<tr data-budget="${counter.key}"><td><span title="${SCOPE_WORDS[counter.scope]}">${counter.scope}</span> <a class="mono" href="${SUBJECT_LINK[counter.scope](counter.subject)}">${counter.subject}</a></td><td class="mono">${counter.budget}</td><td><meter min="0" max="${counter.max}" value="${counter.used}" aria-label="used of ${counter.max}"></meter> ${counter.used}</td><td${left === 0 ? html` class="exhausted"` : ""}>${left}</td><td class="mono">${timeOf(counter.resetsAt)}</td></tr>`;
      })}</tbody></table></div>`
}` as HtmlEscapedString;
}
