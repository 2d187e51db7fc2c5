import { formatGrants, type Grant } from "@writ/core";
import type { AgentRecord, RoleRecord, UserRecord } from "@writ/store";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { revokeDialog } from "./delegations-view.js";
import { timeOf } from "./words.js";

/** The directory: users, roles and agents, each a table a section can extend (budgets, usage). */
export function directoryView(options: {
  readonly users: readonly UserRecord[];
  readonly roles: readonly RoleRecord[];
  readonly agents: readonly AgentRecord[];
  readonly lastSeen: ReadonlyMap<string, number>;
}): HtmlEscapedString {
  const link = (kind: string, id: string) =>
    html`<a href="/console/directory/${kind}/${encodeURIComponent(id)}">${id}</a>`;
  return html`<h1>Directory</h1>
<h2 id="users">Users</h2>
<div class="table-wrap"><table aria-labelledby="users"><thead><tr><th scope="col">User</th><th scope="col">Tenant</th><th scope="col">Roles</th><th scope="col">Permissions (effective)</th></tr></thead>
<tbody>${options.users.map((user) => html`<tr><td>${link("users", user.id)}</td><td>${user.tenant ?? "—"}</td><td>${user.roles.join(", ") || "—"}</td><td class="mono">${formatGrants(user.effectivePermissions) || "—"}</td></tr>`)}</tbody></table></div>
<h2 id="roles">Roles</h2>
<div class="table-wrap"><table aria-labelledby="roles"><thead><tr><th scope="col">Role</th><th scope="col">Permissions</th><th scope="col">Members</th></tr></thead>
<tbody>${options.roles.map((role) => html`<tr><td>${link("roles", role.id)}</td><td class="mono">${formatGrants(role.permissions) || "—"}</td><td>${role.members.join(", ") || "—"}</td></tr>`)}</tbody></table></div>
<h2 id="agents">Agents</h2>
<div class="table-wrap"><table aria-labelledby="agents"><thead><tr><th scope="col">Agent</th><th scope="col">Policy</th><th scope="col">Keys</th><th scope="col">Last seen</th></tr></thead>
<tbody>${options.agents.map((agent) => html`<tr><td>${link("agents", agent.id)}</td><td class="mono">${formatGrants(agent.policy) || "—"}</td><td>${agent.keys.length}</td><td class="mono">${timeOf(options.lastSeen.get(agent.id)) || "never"}</td></tr>`)}</tbody></table></div>` as HtmlEscapedString;
}

export interface Principal {
  readonly kind: "users" | "roles" | "agents";
  readonly id: string;
  readonly tenant?: string;
  /** The grants edited here: direct permissions, a role's, or a policy. */
  readonly grants: readonly Grant[];
  readonly facts: readonly (readonly [string, string])[];
  /** What an admin may revoke from this page: the principal, an agent's keys. */
  readonly revocable?: readonly {
    readonly kind: "user" | "agent" | "key";
    readonly id: string;
    readonly label: string;
    /** What stops working, in the confirmation. */
    readonly stops: string;
  }[];
}

const NOUN = { users: "permissions", roles: "permissions", agents: "policy" } as const;

export function principalView(principal: Principal, mayEdit: boolean): HtmlEscapedString {
  const noun = NOUN[principal.kind];
  const revocable = mayEdit ? (principal.revocable ?? []) : [];
  return html`<h1>${principal.kind.slice(0, -1)} <code>${principal.id}</code></h1>
<div class="panel"><dl class="facts">${principal.facts.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl></div>
<section class="panel" aria-labelledby="edit-title">
<h2 id="edit-title">Edit ${noun}</h2>
<form id="grants-form" data-kind="${principal.kind}" data-id="${principal.id}" data-tenant="${principal.tenant ?? ""}">
<div class="field"><label for="grants">Grants, in the text form (one per line, or separated by ";")</label>
<textarea id="grants" name="grants" rows="6" spellcheck="false" aria-describedby="grants-status"${mayEdit ? "" : " readonly"}>${principal.grants.map((grant) => formatGrants([grant])).join("\n")}</textarea></div>
<div id="grants-status" aria-live="polite"><p class="hint">Checked as you type, with the same parser as everywhere else.</p></div>
<div class="actions"><button type="button" id="what-if" class="secondary">What would change?</button>${mayEdit ? html`<button type="submit" id="save">Save</button>` : ""}</div>
</form>
<div id="what-if-result" aria-live="polite"></div>
</section>
${
  revocable.length === 0
    ? ""
    : html`<section class="panel actions" aria-label="Revoke">${revocable.map(
        (target) =>
          html`<button class="danger revoke" type="button" data-kind="${target.kind}" data-id="${target.id}" data-stops="${target.stops}">${target.label}</button>`,
      )}</section>${revokeDialog()}`
}` as HtmlEscapedString;
}
