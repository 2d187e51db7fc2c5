import type { LedgerRecord } from "@writ/core";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { effectClass, effectLabel, inWords, summary, timeOf } from "./words.js";

/** The activity filters, as the URL keeps them. */
export interface ActivityFilters {
  readonly user?: string;
  readonly agent?: string;
  readonly tool?: string;
  readonly decision?: string;
  /** datetime-local values (UTC). */
  readonly from?: string;
  readonly to?: string;
}

/** A decision row with a short summary of its stored arguments. */
export interface ActivityRow {
  readonly record: LedgerRecord;
  readonly input?: unknown;
}

export function activityRow({ record, input }: ActivityRow): HtmlEscapedString {
  const chain = record.chain?.agents ?? (record.agent ? [record.agent] : []);
  return html`<tr data-id="${record.id}">
<td class="mono">${timeOf(record.time)}</td>
<td>${record.user ?? "—"}</td>
<td>${[record.user, ...chain].filter(Boolean).join(" → ")}</td>
<td><a href="/console/calls/${encodeURIComponent(record.callId ?? "")}">${record.tool ?? "—"}</a><br><span class="hint mono">${record.action ?? ""}</span></td>
<td class="wide mono">${summary(input)}</td>
<td><span class="effect ${effectClass(record.decision)}">${effectLabel(record.decision)}</span><br><span class="hint">${inWords(record.reason)}</span></td>
</tr>` as HtmlEscapedString;
}

export function activityView(options: {
  readonly filters: ActivityFilters;
  readonly rows: readonly ActivityRow[];
  readonly nextCursor?: string;
  readonly paged: boolean;
  readonly query: URLSearchParams;
}): HtmlEscapedString {
  const { filters, rows, nextCursor, paged, query } = options;
  const field = (name: keyof ActivityFilters, label: string, type = "text") =>
    html`<label>${label}<input name="${name}" type="${type}" value="${filters[name] ?? ""}"></label>`;
  const older = new URLSearchParams(query);
  if (nextCursor) older.set("cursor", nextCursor);
  const newest = new URLSearchParams(query);
  newest.delete("cursor");
  return html`<h1>Activity</h1>
<p class="hint">Every decision, newest first${paged ? "" : html`, <span class="status-live" id="live-status">live</span>`}. Open a call to see its chain, grants and ledger rows.</p>
<form class="filters panel" method="get" action="/console" role="search" aria-label="Filter activity">
${field("user", "User")}${field("agent", "Agent")}${field("tool", "Tool")}
<label>Effect<select name="decision">
${["", "allow", "deny", "approval_required"].map(
  (value) =>
    html`<option value="${value}"${filters.decision === value ? " selected" : ""}>${value === "" ? "any" : effectLabel(value)}</option>`,
)}</select></label>
${field("from", "From (UTC)", "datetime-local")}${field("to", "Until (UTC)", "datetime-local")}
<div class="actions"><button type="submit">Filter</button><a class="button secondary" href="/console">Clear</a></div>
</form>
<div class="table-wrap"><table id="activity" data-live="${paged ? "false" : "true"}">
<caption class="sr-only">Decisions</caption>
<thead><tr><th scope="col">Time</th><th scope="col">User</th><th scope="col">Chain</th><th scope="col">Tool</th><th scope="col" class="wide">Arguments</th><th scope="col">Decision</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr class="empty"><td colspan="6" class="hint">No decisions match.</td></tr>` : rows.map(activityRow)}</tbody>
</table></div>
<nav class="pager" aria-label="Pages">
${paged ? html`<a href="/console?${newest.toString()}">← Newest</a>` : ""}
${nextCursor ? html`<a href="/console?${older.toString()}">Older →</a>` : ""}
</nav>` as HtmlEscapedString;
}
