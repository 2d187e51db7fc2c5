import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export function signInView(options: {
  readonly providers: readonly { readonly index: number; readonly label: string }[];
  readonly error?: string;
}): HtmlEscapedString {
  return html`<div class="sign-in panel">
<h1>Sign in to Writ</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ""}
${options.providers.map(
  (provider) =>
    html`<p><a class="button" href="/console/oidc/${provider.index}">${provider.label}</a></p>`,
)}
<form method="post" action="/console/sign-in">
<div class="field"><label for="api-key">API key</label>
<input id="api-key" name="apiKey" type="password" autocomplete="off" required placeholder="writ_…" aria-describedby="api-key-hint"></div>
<p id="api-key-hint" class="hint">The operator key of an embedded store is in <code>.writ/credentials.json</code>. The key is checked and forgotten: the console keeps a session, never the key.</p>
<button type="submit">Sign in</button>
</form>
</div>` as HtmlEscapedString;
}
