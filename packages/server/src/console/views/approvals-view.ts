import type { Approval } from "@writ/core";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { summary, timeOf } from "./words.js";

export function approvalsView(options: {
  readonly approvals: readonly Approval[];
  /** Stored arguments by input hash (hex). */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly mayDecide: boolean;
}): HtmlEscapedString {
  const { approvals, inputs, mayDecide } = options;
  return html`<h1>Approvals</h1>
<p class="hint"><span class="status-live">live</span> Requests appear here as agents ask, and leave when anyone decides them.${mayDecide ? "" : " You may read them; deciding needs the approver role."}</p>
<section id="approvals" aria-label="Pending approval requests">
${
  approvals.length === 0
    ? html`<p class="panel hint">Nothing is waiting for a decision.</p>`
    : html`<div class="cards">${approvals.map((approval) => {
        const hash = Buffer.from(approval.argsHash, "base64url").toString("hex");
        return html`<article class="card" data-approval="${approval.id}">
<h3><code>${approval.tool}</code> · ${approval.action}</h3>
<dl class="facts"><dt>For</dt><dd>${[approval.user, ...approval.chain].join(" → ")}</dd>
<dt>Arguments</dt><dd class="mono">${summary(inputs[hash], 240) || "not stored"}</dd>
<dt>Asked</dt><dd>${timeOf(approval.requestedAt)}</dd><dt>Expires</dt><dd>${timeOf(approval.expiresAt)}</dd>
<dt>Call</dt><dd><a href="/console/calls/${encodeURIComponent(approval.callId)}">details</a></dd></dl>
<form class="decide" data-id="${approval.id}">
<div class="field"><label for="note-${approval.id}">Note (kept in the ledger)</label><textarea id="note-${approval.id}" name="reason" rows="2" maxlength="500"></textarea></div>
<div class="actions"><button type="submit" name="verdict" value="approve"${mayDecide ? "" : " disabled"}>Approve</button>
<button class="danger" type="submit" name="verdict" value="reject"${mayDecide ? "" : " disabled"}>Reject</button></div>
<p class="error" role="alert" hidden></p>
</form></article>`;
      })}</div>`
}
</section>` as HtmlEscapedString;
}
