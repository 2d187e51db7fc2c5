import type { LedgerChainInfo } from "@writ/store";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { timeOf } from "./words.js";

export function ledgerView(options: {
  readonly chains: readonly LedgerChainInfo[] | undefined;
}): HtmlEscapedString {
  const { chains } = options;
  return html`<h1>Ledger integrity</h1>
<section class="panel" aria-labelledby="verify-title">
<h2 id="verify-title">Verification</h2>
${
  chains === undefined
    ? html`<p class="hint">Verifying spans every tenant: it needs an operator's admin sign-in.</p>`
    : html`<p class="hint">Recomputes every hash chain and signed checkpoint, and names the first broken row.</p>
<div class="actions"><button type="button" id="verify">Verify now</button><progress id="verify-progress" max="1" value="0" hidden aria-label="Verification progress"></progress></div>
<p id="verify-result" aria-live="polite"></p>`
}
</section>
${
  chains === undefined
    ? ""
    : html`<h2>Checkpoints</h2><div class="table-wrap"><table><thead><tr><th scope="col">Writer chain</th><th scope="col">Rows</th><th scope="col">Last checkpoint</th><th scope="col">Signed</th><th scope="col">Key</th></tr></thead>
<tbody>${chains.map((chain) => html`<tr><td class="mono">${chain.chainId}</td><td>${chain.rows}</td><td>${chain.lastCheckpoint ? html`row ${chain.lastCheckpoint.seq}` : html`<span class="hint">none yet</span>`}</td><td class="mono">${timeOf(chain.lastCheckpoint?.time)}</td><td class="mono">${chain.keyThumbprint.slice(0, 12)}…</td></tr>`)}</tbody></table></div>`
}
<section class="panel" aria-labelledby="export-title">
<h2 id="export-title">Export</h2>
<p class="hint">Streamed as it is read, one JSON document per line, for your SIEM.</p>
<div class="actions">
<a class="button" id="export-ocsf" href="/v1/ledger/export?format=ocsf" download="writ-ledger.ocsf.ndjson">OCSF 1.8</a>
<a class="button" id="export-ecs" href="/v1/ledger/export?format=ecs" download="writ-ledger.ecs.ndjson">ECS</a>
<a class="button" id="export-jsonl" href="/v1/ledger/export?format=jsonl" download="writ-ledger.jsonl">JSONL (sealed rows)</a>
</div></section>` as HtmlEscapedString;
}
