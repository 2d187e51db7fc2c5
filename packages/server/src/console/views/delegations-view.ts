import { formatGrants, type LedgerRecord } from "@writ/core";
import type { DelegationRecord } from "@writ/core/backend";
import type { DelegationNode } from "@writ/store";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { effectClass, effectLabel, timeOf } from "./words.js";

export function rootsView(options: {
  readonly roots: readonly DelegationRecord[];
  readonly user?: string;
  readonly nextCursor?: string;
}): HtmlEscapedString {
  return html`<h1>Delegations</h1>
<form class="filters panel" method="get" action="/console/delegations" role="search" aria-label="Find writs">
<label>User<input name="user" value="${options.user ?? ""}"></label><div class="actions"><button type="submit">Show</button></div></form>
<div class="table-wrap"><table><thead><tr><th scope="col">Issued</th><th scope="col">User</th><th scope="col">First agent</th><th scope="col">Grants</th><th scope="col">Expires</th></tr></thead>
<tbody>${
    options.roots.length === 0
      ? html`<tr><td colspan="5" class="hint">No writs issued yet.</td></tr>`
      : options.roots.map(
          (root) =>
            html`<tr><td class="mono"><a href="/console/delegations/${root.jti}">${timeOf(root.issuedAt * 1000)}</a></td><td>${root.user}</td><td>${root.toAgent}</td><td class="mono">${formatGrants(root.grants)}</td><td class="mono">${timeOf(root.expiresAt * 1000)}</td></tr>`,
        )
  }</tbody></table></div>
${options.nextCursor ? html`<nav class="pager"><a href="/console/delegations?${new URLSearchParams({ ...(options.user ? { user: options.user } : {}), cursor: options.nextCursor }).toString()}">Older →</a></nav>` : ""}` as HtmlEscapedString;
}

/** Every hop below (and including) a node. */
function below(node: DelegationNode): DelegationNode[] {
  return [node, ...node.children.flatMap(below)];
}

export function treeView(options: {
  readonly tree: DelegationNode;
  /** Recent calls by leaf hop jti. */
  readonly calls: ReadonlyMap<string, readonly LedgerRecord[]>;
  readonly mayRevoke: boolean;
}): HtmlEscapedString {
  const { tree, calls, mayRevoke } = options;
  const hop = (node: DelegationNode, depth: number): HtmlEscapedString => {
    const stops = below(node);
    const recent = calls.get(node.jti) ?? [];
    return html`<li><div class="hop${node.revoked ? " revoked" : ""}" data-hop="${node.jti}">
<strong class="agent">${node.fromAgent ?? node.user} → ${node.toAgent}</strong> ${node.revoked ? html`<span class="effect deny">revoked</span>` : ""}
<div class="mono">${formatGrants(node.grants) || "(no grants)"}</div>
<div class="hint">depth ${depth} · expires ${timeOf(node.expiresAt * 1000)} · <span class="mono">${node.jti}</span></div>
${recent.length === 0 ? "" : html`<ul class="hint">${recent.slice(0, 5).map((row) => html`<li><a href="/console/calls/${encodeURIComponent(row.callId ?? "")}">${row.tool}</a> <span class="effect ${effectClass(row.decision)}">${effectLabel(row.decision)}</span> ${timeOf(row.time)}</li>`)}</ul>`}
${
  mayRevoke && !node.revoked
    ? html`<button class="danger revoke" type="button" data-kind="hop" data-id="${node.jti}" data-stops="${stops.map((entry) => `${entry.fromAgent ?? entry.user} → ${entry.toAgent}`).join("; ")}" data-count="${stops.length}">Revoke this hop</button>`
    : ""
}
</div>${node.children.length === 0 ? "" : html`<ul class="tree">${node.children.map((child) => hop(child, depth + 1))}</ul>`}</li>` as HtmlEscapedString;
  };
  return html`<h1>Delegation tree</h1>
<p class="hint"><span class="status-live">live</span> Writ issued to <strong>${tree.toAgent}</strong> for <strong>${tree.user}</strong> at ${timeOf(tree.issuedAt * 1000)}. Revoked branches stay visible, struck through.</p>
${
  mayRevoke
    ? html`<div class="actions panel">
<button class="danger revoke" type="button" data-kind="user" data-id="${tree.user}" data-stops="every writ and call of user ${tree.user}">Revoke user ${tree.user}</button>
<button class="danger revoke" type="button" data-kind="agent" data-id="${tree.toAgent}" data-stops="every writ held by or delegated through agent ${tree.toAgent}">Revoke agent ${tree.toAgent}</button></div>`
    : ""
}
<section id="tree" aria-label="Hops"><ul class="tree">${hop(tree, 0)}</ul></section>
${revokeDialog()}` as HtmlEscapedString;
}

/** The confirmation every revocation goes through: what stops working, and why (kept in the ledger). */
export function revokeDialog(): HtmlEscapedString {
  return html`<dialog id="revoke-dialog" aria-labelledby="revoke-title">
<form method="dialog" id="revoke-form">
<h2 id="revoke-title">Revoke</h2>
<p>This stops working at once, on every server: <strong id="revoke-stops"></strong>.</p>
<p class="hint">Revocations are permanent: the agents need a new writ to work again.</p>
<div class="field"><label for="revoke-reason">Reason (kept in the ledger)</label><input id="revoke-reason" name="reason" required maxlength="500"></div>
<p class="error" role="alert" hidden></p>
<div class="actions"><button class="danger" type="submit" value="confirm">Revoke</button><button class="secondary" type="button" id="revoke-cancel">Cancel</button></div>
</form></dialog>` as HtmlEscapedString;
}
