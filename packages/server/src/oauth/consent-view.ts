import { formatGrant, type Grant } from "@writ/core";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** The sign-in choices for a person about to consent: the identity providers the server trusts. */
export function consentSignInView(options: {
  readonly request: string;
  readonly clientName: string;
  readonly providers: readonly { readonly index: number; readonly label: string }[];
  readonly error?: string;
}): HtmlEscapedString {
  return html`<div class="sign-in panel">
<h1>Sign in to connect ${options.clientName}</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
${options.providers.map(
  (provider) =>
    html`<p><a class="button" href="/oauth/sign-in/${provider.index}?request=${options.request}">${provider.label}</a></p>`,
)}
${options.providers.length === 0 ? html`<p class="error" role="alert">This server has no identity provider to sign in with (console.oidc).</p>` : ""}
</div>` as HtmlEscapedString;
}

/**
 * The consent page: which client asks, where it will be sent back, which
 * gateway it wants to use and the grants it asks for, each of which the
 * person may leave out before approving.
 */
export function consentView(options: {
  readonly request: string;
  readonly csrf: string;
  readonly user: string;
  readonly clientName: string;
  readonly clientId: string;
  readonly redirectHost: string;
  readonly resource: string;
  readonly grants: readonly Grant[];
}): HtmlEscapedString {
  return html`<div class="panel consent">
<h1>Allow ${options.clientName} to act for you?</h1>
<p>Signed in as <strong>${options.user}</strong>.</p>
<dl class="facts">
<dt>Client</dt><dd>${options.clientName} <span class="hint mono">${options.clientId}</span></dd>
<dt>Returns to</dt><dd class="mono">${options.redirectHost}</dd>
<dt>MCP gateway</dt><dd class="mono">${options.resource}</dd>
</dl>
<form method="post" action="/oauth/consent">
<input type="hidden" name="request" value="${options.request}">
<input type="hidden" name="csrf" value="${options.csrf}">
<fieldset><legend>It may, until you or an administrator revoke it:</legend>
${options.grants.map(
  (grant, index) =>
    html`<div class="field"><label><input type="checkbox" name="grant" value="${String(index)}" checked> <span class="mono">${formatGrant(grant)}</span></label></div>`,
)}
</fieldset>
${options.grants.length === 0 ? html`<p class="error" role="alert">You hold none of what this client asks for.</p>` : ""}
<p class="hint">Each call is still checked against your current permissions and the client's policy, and recorded.</p>
<button type="submit" name="decision" value="approve"${options.grants.length === 0 ? " disabled" : ""}>Approve</button>
<button class="secondary" type="submit" name="decision" value="deny">Deny</button>
</form>
</div>` as HtmlEscapedString;
}

/** Why an authorization cannot go on, when the client cannot safely be told (no known redirect URI). */
export function authorizationErrorView(message: string): HtmlEscapedString {
  return html`<div class="sign-in panel">
<h1>Authorization failed</h1>
<p class="error" role="alert">${message}</p>
</div>` as HtmlEscapedString;
}
