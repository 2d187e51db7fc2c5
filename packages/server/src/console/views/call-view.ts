import { type Approval, formatGrants, type Grant, type LedgerRecord } from "@writ/core";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { effectClass, effectLabel, inWords, timeOf } from "./words.js";

export interface CallData {
  readonly callId: string;
  readonly records: readonly LedgerRecord[];
  readonly hops: readonly {
    readonly jti: string;
    readonly fromAgent: string | null;
    readonly toAgent: string;
    readonly grants: readonly Grant[];
    readonly expiresAt: number;
    readonly revoked: boolean;
  }[];
  readonly payloads: Readonly<
    Record<string, { readonly body?: unknown; readonly erased: boolean }>
  >;
  readonly approvals: readonly Approval[];
}

function payload(data: CallData, hash: string | null): HtmlEscapedString {
  if (hash === null) return html`<span class="hint">none</span>` as HtmlEscapedString;
  const stored = data.payloads[hash];
  if (!stored) return html`<span class="hint">only its hash is kept</span>` as HtmlEscapedString;
  if (stored.erased) return html`<span class="hint">erased</span>` as HtmlEscapedString;
  return html`<pre class="mono">${JSON.stringify(stored.body, null, 2)}</pre>` as HtmlEscapedString;
}

export function callView(data: CallData): HtmlEscapedString {
  const decision = [...data.records].reverse().find((row) => row.kind === "decision");
  const outcome = data.records.find((row) => row.kind === "outcome");
  const detail = decision?.detail ?? {};
  const decidingHop = typeof detail.hop === "number" ? detail.hop : undefined;
  return html`<h1>Call <code>${decision?.tool ?? data.callId}</code></h1>
<p><span class="effect ${effectClass(decision?.decision)}">${effectLabel(decision?.decision)}</span> ${inWords(decision?.reason)}${
    decidingHop === undefined
      ? ""
      : html` — decided at hop ${decidingHop} (${String(detail.decidedBy ?? "")})${typeof detail.grant === "number" ? html`, grant ${detail.grant}` : ""}${typeof detail.path === "string" ? html`, argument <code>${detail.path}</code>` : ""}`
  }</p>
<div class="panel"><dl class="facts">
<dt>User</dt><dd>${decision?.user ?? "—"}</dd>
<dt>Action</dt><dd><code>${decision?.action ?? "—"}</code></dd>
<dt>Call id</dt><dd class="mono">${data.callId}</dd>
<dt>Outcome</dt><dd>${outcome ? html`${outcome.outcome}${outcome.error ? html` — ${outcome.error}` : ""}${outcome.durationMs === null ? "" : html` in ${outcome.durationMs.toFixed(0)} ms`}` : "not recorded"}</dd>
</dl></div>
<h2>The chain</h2>
<ol class="tree">${data.hops.map(
    (hop, index) => html`<li class="hop${hop.revoked ? " revoked" : ""}">
<strong class="agent">${hop.fromAgent ?? decision?.user ?? "issuer"} → ${hop.toAgent}</strong>${index === decidingHop ? html` <span class="effect deny">decided here</span>` : ""}${hop.revoked ? html` <span class="effect other">revoked</span>` : ""}
<div class="mono">${formatGrants(hop.grants) || "(no grants)"}</div>
<div class="hint">hop ${index} · <a href="/console/delegations/${data.hops[0]?.jti ?? hop.jti}">tree</a> · expires ${timeOf(hop.expiresAt * 1000)}</div></li>`,
  )}</ol>
<h2>Inputs and outputs</h2>
<div class="cards"><div class="card"><h3>Input</h3>${payload(data, decision?.inputHash ?? null)}</div>
<div class="card"><h3>Output</h3>${payload(data, outcome?.outputHash ?? null)}</div></div>
${
  data.approvals.length === 0
    ? ""
    : html`<h2>Approval</h2>${data.approvals.map(
        (approval) =>
          html`<div class="panel"><dl class="facts"><dt>Status</dt><dd>${approval.status}</dd><dt>Decided by</dt><dd>${approval.decidedBy ?? "—"}</dd><dt>Note</dt><dd>${approval.reason ?? "—"}</dd><dt>Requested</dt><dd>${timeOf(approval.requestedAt)}</dd></dl></div>`,
      )}`
}
<h2>Ledger rows</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Decision</th><th scope="col">Chain / seq</th><th scope="col">Hash</th></tr></thead>
<tbody>${data.records.map(
    (row) =>
      html`<tr><td class="mono">${timeOf(row.time)}</td><td>${row.kind}</td><td>${row.decision ? html`<span class="effect ${effectClass(row.decision)}">${effectLabel(row.decision)}</span> ` : ""}${inWords(row.reason)}</td><td class="mono">${row.chainId.slice(0, 8)}… #${row.seq}</td><td class="mono">${row.hash}</td></tr>`,
  )}</tbody></table></div>` as HtmlEscapedString;
}
