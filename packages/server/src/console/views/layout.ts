import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Who is signed in, as the header shows it. */
export interface Viewer {
  readonly subject: string;
  readonly role: string;
  readonly tenant: string | undefined;
  /** The session's CSRF token: pages send it back with every change. */
  readonly csrf: string;
}

const NAV = [
  ["/console", "Activity"],
  ["/console/approvals", "Approvals"],
  ["/console/delegations", "Delegations"],
  ["/console/budgets", "Budgets"],
  ["/console/directory", "Directory"],
  ["/console/ledger", "Ledger"],
] as const;

/**
 * Every console page: the header with the sections and who is signed in,
 * the page's content, and its script (an ES module served by the server).
 * Nothing is loaded from elsewhere; no secret is ever in a page.
 */
export function layout(options: {
  readonly title: string;
  readonly section?: string;
  readonly viewer?: Viewer;
  readonly script?: string;
  readonly body: HtmlEscapedString;
}): HtmlEscapedString {
  const { title, section, viewer, script, body } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Writ</title>
<link rel="stylesheet" href="/console/assets/console.css">
${viewer ? html`<meta name="writ-csrf" content="${viewer.csrf}">` : ""}
<script type="module" src="/console/assets/console.js"></script>
${script ? html`<script type="module" src="/console/assets/${script}"></script>` : ""}
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top">
  <a class="brand" href="/console">Writ</a>
  ${
    viewer
      ? html`<nav class="main" aria-label="Sections">${NAV.map(
          ([href, label]) =>
            html`<a href="${href}"${section === href ? html` aria-current="page"` : ""}>${label}</a>`,
        )}</nav>
  <div class="who"><span>${viewer.subject} · ${viewer.role}${viewer.tenant ? ` · ${viewer.tenant}` : ""}</span>
  <form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${viewer.csrf}"><button class="secondary" type="submit">Sign out</button></form></div>`
      : ""
  }
</header>
<main id="content">
<p id="announcer" class="sr-only" aria-live="polite"></p>
${body}
</main>
</body>
</html>` as HtmlEscapedString;
}
