import { type Approval, type LedgerRecord, WritError } from "@writ/core";
import type { BudgetUsage, DelegationRecord } from "@writ/core/backend";
import type {
  AgentRecord,
  DelegationNode,
  LedgerChainInfo,
  RoleRecord,
  UserRecord,
} from "@writ/store";
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ApiKeyVerifier } from "../auth/api-key-verifier.js";
import { IdentityProvider, type IdentityProviderOptions } from "../exchange/identity-provider.js";
import { problemOf } from "../http/problem-details.js";
import type { WritApp } from "../routes/route-context.js";
import { hasScope } from "../tenancy/tenant-access.js";
import { registerConsoleAssets } from "./console-assets.js";
import type { ConsoleOptions } from "./console-options.js";
import { type ConsoleSessions, ROLE_SCOPES } from "./console-sessions.js";
import { finishOidcSignIn, type OidcSignIn, startOidcSignIn } from "./oidc-sign-in.js";
import { type ActivityRow, activityRow, activityView } from "./views/activity-view.js";
import { approvalsView } from "./views/approvals-view.js";
import { budgetsView } from "./views/budgets-view.js";
import { type CallData, callView } from "./views/call-view.js";
import { rootsView, treeView } from "./views/delegations-view.js";
import { directoryView, type Principal, principalView } from "./views/directory-view.js";
import { layout, type Viewer } from "./views/layout.js";
import { ledgerView } from "./views/ledger-view.js";
import { signInView } from "./views/sign-in-view.js";

const ASSETS = new URL("../../console/assets/", import.meta.url);

/** Headers of every console page: nothing but this origin may be loaded, framed or posted to. */
export const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/**
 * The console, served at /console on the API's origin: server-rendered pages
 * whose data comes from the API itself (each page's requests carry the
 * session, so the API enforces the role exactly as for any caller), and a
 * little client code for live updates and changes, which also go through
 * the API with the session's CSRF token.
 */
export function registerConsoleRoutes(
  app: WritApp,
  options: {
    readonly sessions: ConsoleSessions;
    readonly apiKeys: ApiKeyVerifier;
    readonly console: ConsoleOptions;
    readonly identityProviders: readonly IdentityProviderOptions[];
    readonly clock: () => number;
  },
): readonly OidcSignIn[] {
  const { sessions } = options;
  const providers: OidcSignIn[] = (options.console.oidc ?? []).map((oidc, index) => {
    const trusted = options.identityProviders.find((provider) => provider.issuer === oidc.issuer);
    if (!trusted) {
      throw new TypeError(
        `console.oidc names ${oidc.issuer}, which is not one of tokenExchange.identityProviders: the console signs in only through providers the server already trusts.`,
      );
    }
    return {
      index,
      label: oidc.label ?? `Sign in with ${new URL(oidc.issuer).host}`,
      options: oidc,
      provider: new IdentityProvider(trusted, options.clock),
    };
  });

  registerConsoleAssets(app, ASSETS);

  const page = (c: Context, status: 200 | 400 | 403 | 404, body: HtmlEscapedString) =>
    c.html(body, status, PAGE_HEADERS);

  app.get("/console/sign-in", (c) =>
    page(c, 200, layout({ title: "Sign in", body: signInView({ providers }) })),
  );

  app.post("/console/sign-in", async (c) => {
    assertSameOrigin(c);
    const form = await c.req.parseBody();
    const key = typeof form.apiKey === "string" ? form.apiKey.trim() : "";
    try {
      const record = await options.apiKeys.verify(key);
      const role = hasScope(record.scopes, "admin")
        ? "admin"
        : hasScope(record.scopes, "approve")
          ? "approver"
          : hasScope(record.scopes, "read")
            ? "viewer"
            : undefined;
      if (!role)
        throw new WritError(
          "auth.forbidden",
          "This key is for guards, not people: sign in with an admin, approve or read key.",
        );
      await sessions.open(c, {
        subject: `key:${record.id}`,
        tenant: record.tenant,
        role,
        apiKeyId: record.id,
      });
      return c.redirect("/console", 303);
    } catch (error) {
      const problem = problemOf(error);
      return page(
        c,
        400,
        layout({ title: "Sign in", body: signInView({ providers, error: problem.detail }) }),
      );
    }
  });

  app.get("/console/oidc/callback", async (c) => {
    try {
      const { subject, tenant, role } = await finishOidcSignIn(c, providers);
      if (!role) {
        throw new WritError(
          "auth.forbidden",
          "Your account has no console role; ask an administrator for one.",
        );
      }
      await sessions.open(c, { subject, tenant, role });
      return c.redirect("/console", 303);
    } catch (error) {
      return page(
        c,
        400,
        layout({
          title: "Sign in",
          body: signInView({ providers, error: problemOf(error).detail }),
        }),
      );
    }
  });

  app.get("/console/oidc/:index", async (c) => {
    const sign = providers[Number(c.req.param("index") ?? "")];
    if (!sign) return c.redirect("/console/sign-in", 303);
    return startOidcSignIn(c, sign);
  });

  app.post("/console/sign-out", async (c) => {
    const form = await c.req.parseBody();
    if (form.csrf === sessions.csrf(c)) await sessions.close(c);
    return c.redirect("/console/sign-in", 303);
  });

  /** A page for a signed-in person: the viewer, and the API as they may use it. */
  const signedIn =
    (
      section: string,
      render: (
        c: Context,
        viewer: Viewer,
        api: Api,
      ) => Promise<{ title: string; body: HtmlEscapedString; script?: string; bare?: boolean }>,
    ) =>
    async (c: Context) => {
      let caller: Awaited<ReturnType<ConsoleSessions["caller"]>>;
      try {
        caller = await sessions.caller(c);
      } catch {
        caller = undefined;
      }
      if (caller?.kind !== "session") return c.redirect("/console/sign-in", 303);
      const viewer: Viewer = {
        subject: caller.subject,
        role: caller.role,
        tenant: caller.tenant,
        csrf: sessions.csrf(c) as string,
      };
      const api = apiFor(app, c);
      try {
        const { title, body, script, bare } = await render(c, viewer, api);
        if (bare) return page(c, 200, body);
        return page(
          c,
          200,
          layout({ title, section, viewer, body, ...(script ? { script } : {}) }),
        );
      } catch (error) {
        const problem = problemOf(error);
        const status = problem.status === 404 ? 404 : problem.status === 403 ? 403 : 400;
        return page(
          c,
          status,
          layout({ title: "Error", section, viewer, body: errorBody(problem.detail) }),
        );
      }
    };

  app.get(
    "/console",
    signedIn("/console", async (c, _viewer, api) => {
      const query = new URL(c.req.url).searchParams;
      const filters = {
        ...pick(query, ["user", "agent", "tool", "decision", "from", "to"]),
      };
      const params = new URLSearchParams({
        kind: "decision",
        order: "desc",
        limit: "100",
        include: "inputs",
      });
      for (const name of ["user", "agent", "tool", "decision"] as const) {
        if (filters[name]) params.set(name, filters[name] as string);
      }
      for (const name of ["from", "to"] as const) {
        const value = filters[name];
        if (value) params.set(name, String(Date.parse(`${value}Z`)));
      }
      const cursor = query.get("cursor");
      if (cursor) params.set("cursor", cursor);
      const page = await api<{
        records: LedgerRecord[];
        nextCursor?: string;
        inputs?: Record<string, unknown>;
      }>(`/v1/ledger?${params.toString()}`);
      const rows: ActivityRow[] = page.records.map((record) => ({
        record,
        ...(record.inputHash && page.inputs?.[record.inputHash] !== undefined
          ? { input: page.inputs[record.inputHash] }
          : {}),
      }));
      // The live view asks for the newest rows again (same filters): the same markup as the page.
      if (query.get("fragment") === "rows") {
        return {
          title: "rows",
          bare: true,
          body: html`${rows.map(activityRow)}` as HtmlEscapedString,
        };
      }
      return {
        title: "Activity",
        script: "activity.js",
        body: activityView({
          filters,
          rows,
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
          paged: cursor !== null,
          query,
        }),
      };
    }),
  );

  app.get(
    "/console/calls/:callId",
    signedIn("/console", async (c, _viewer, api) => {
      const data = await api<CallData>(
        `/v1/calls/${encodeURIComponent(c.req.param("callId") ?? "")}`,
      );
      return { title: "Call", body: callView(data) };
    }),
  );

  app.get(
    "/console/approvals",
    signedIn("/console/approvals", async (_c, viewer, api) => {
      const { approvals } = await api<{ approvals: Approval[] }>("/v1/approvals?limit=200");
      const inputs: Record<string, unknown> = {};
      for (const approval of approvals) {
        const { inputs: found } = await api<{ inputs?: Record<string, unknown> }>(
          `/v1/ledger?${new URLSearchParams({ callId: approval.callId, kind: "decision", limit: "1", include: "inputs" })}`,
        );
        Object.assign(inputs, found ?? {});
      }
      if (new URL(_c.req.url).searchParams.get("fragment") === "list") {
        return {
          title: "list",
          bare: true,
          body: approvalsView({
            approvals,
            inputs,
            mayDecide: hasScope(ROLE_SCOPES[viewer.role as keyof typeof ROLE_SCOPES], "approve"),
          }),
        };
      }
      return {
        title: "Approvals",
        script: "approvals.js",
        body: approvalsView({
          approvals,
          inputs,
          mayDecide: hasScope(ROLE_SCOPES[viewer.role as keyof typeof ROLE_SCOPES], "approve"),
        }),
      };
    }),
  );

  app.get(
    "/console/delegations",
    signedIn("/console/delegations", async (c, _viewer, api) => {
      const query = pick(new URL(c.req.url).searchParams, ["user", "cursor"]);
      const params = new URLSearchParams({ limit: "50", ...query });
      const { delegations, nextCursor } = await api<{
        delegations: DelegationRecord[];
        nextCursor?: string;
      }>(`/v1/delegations?${params.toString()}`);
      return {
        title: "Delegations",
        body: rootsView({
          roots: delegations,
          ...(query.user ? { user: query.user } : {}),
          ...(nextCursor ? { nextCursor } : {}),
        }),
      };
    }),
  );

  app.get(
    "/console/budgets",
    signedIn("/console/budgets", async (_c, _viewer, api) => {
      const { usage } = await api<{ usage: BudgetUsage[] }>("/v1/budgets");
      return { title: "Budgets", body: budgetsView(usage) };
    }),
  );

  app.get(
    "/console/delegations/:jti",
    signedIn("/console/delegations", async (c, viewer, api) => {
      const tree = await api<DelegationNode>(
        `/v1/delegations/${encodeURIComponent(c.req.param("jti") ?? "")}`,
      );
      const { records } = await api<{ records: LedgerRecord[] }>(
        `/v1/ledger?${new URLSearchParams({ user: tree.user, kind: "decision", order: "desc", limit: "200", from: String(tree.issuedAt * 1000 - 60_000) })}`,
      );
      const calls = new Map<string, LedgerRecord[]>();
      for (const row of records) {
        const leaf = row.chain?.hops.at(-1);
        if (leaf) calls.set(leaf, [...(calls.get(leaf) ?? []), row]);
      }
      if (new URL(c.req.url).searchParams.get("fragment") === "tree") {
        return {
          title: "tree",
          bare: true,
          body: treeView({ tree, calls, mayRevoke: viewer.role === "admin" }),
        };
      }
      return {
        title: "Delegation tree",
        script: "delegations.js",
        body: treeView({ tree, calls, mayRevoke: viewer.role === "admin" }),
      };
    }),
  );

  app.get(
    "/console/directory",
    signedIn("/console/directory", async (_c, _viewer, api) => {
      const { users } = await api<{ users: UserRecord[] }>("/v1/users?limit=200");
      const { roles } = await api<{ roles: RoleRecord[] }>("/v1/roles?limit=200");
      const { agents } = await api<{ agents: AgentRecord[] }>("/v1/agents?limit=200");
      const lastSeen = new Map<string, number>();
      for (const agent of agents) {
        const { records } = await api<{ records: LedgerRecord[] }>(
          `/v1/ledger?${new URLSearchParams({ agent: agent.id, order: "desc", limit: "1" })}`,
        );
        if (records[0]) lastSeen.set(agent.id, records[0].time);
      }
      return { title: "Directory", body: directoryView({ users, roles, agents, lastSeen }) };
    }),
  );

  app.get(
    "/console/directory/:kind/:id",
    signedIn("/console/directory", async (c, viewer, api) => {
      const kind = c.req.param("kind") ?? "";
      const id = c.req.param("id") ?? "";
      let principal: Principal;
      if (kind === "users") {
        const user = await api<UserRecord>(`/v1/users/${encodeURIComponent(id)}`);
        principal = {
          kind,
          id,
          grants: user.permissions,
          revocable: [
            {
              kind: "user",
              id,
              label: `Revoke user ${id}`,
              stops: `every writ and call of user ${id}`,
            },
          ],
          facts: [
            ["Tenant", user.tenant ?? "—"],
            ["Roles", user.roles.join(", ") || "—"],
            ["Effective permissions", String(user.effectivePermissions.length)],
          ],
        };
      } else if (kind === "roles") {
        const role = await api<RoleRecord>(`/v1/roles/${encodeURIComponent(id)}`);
        principal = {
          kind,
          id,
          ...(role.tenant ? { tenant: role.tenant } : {}),
          grants: role.permissions,
          facts: [
            ["Tenant", role.tenant ?? "—"],
            ["Members", role.members.join(", ") || "—"],
          ],
        };
      } else if (kind === "agents") {
        const agent = await api<AgentRecord>(`/v1/agents/${encodeURIComponent(id)}`);
        principal = {
          kind,
          id,
          grants: agent.policy,
          revocable: [
            {
              kind: "agent",
              id,
              label: `Revoke agent ${id}`,
              stops: `every writ held by or delegated through agent ${id}`,
            },
            ...agent.keys.map((key) => ({
              kind: "key" as const,
              id: key.thumbprint,
              label: `Revoke key ${key.thumbprint.slice(0, 10)}…`,
              stops: `writs bound to agent ${id}'s key ${key.thumbprint}, and requests it signs`,
            })),
          ],
          facts: [
            ["Tenant", agent.shared ? "every tenant (shared)" : (agent.tenant ?? "—")],
            ["Keys", agent.keys.map((key) => key.thumbprint).join(", ") || "none"],
          ],
        };
      } else {
        throw new WritError("request.not_found", "No such directory section.");
      }
      return {
        title: `${kind} ${id}`,
        script: "grants-editor.js",
        body: principalView(principal, viewer.role === "admin"),
      };
    }),
  );

  app.get(
    "/console/ledger",
    signedIn("/console/ledger", async (_c, viewer, api) => {
      let chains: LedgerChainInfo[] | undefined;
      if (viewer.role === "admin" && viewer.tenant === undefined) {
        chains = (await api<{ chains: LedgerChainInfo[] }>("/v1/ledger/chains")).chains;
      }
      return { title: "Ledger", script: "ledger.js", body: ledgerView({ chains }) };
    }),
  );
  return providers;
}

type Api = <T>(path: string) => Promise<T>;

/** The API as the signed-in person may use it: the page's own session cookie goes with each request. */
function apiFor(app: WritApp, c: Context): Api {
  return async <T>(path: string) => {
    const response = await app.request(path, { headers: { cookie: c.req.header("cookie") ?? "" } });
    const body = (await response.json()) as T & { code?: string; detail?: string };
    if (!response.ok) {
      throw new WritError(
        isCode(body.code) ? body.code : "server.internal",
        body.detail ?? "The request failed.",
      );
    }
    return body;
  };
}

function isCode(code: unknown): code is WritError["code"] {
  return typeof code === "string" && code.includes(".");
}

function pick(query: URLSearchParams, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = query.get(name);
      return value ? [[name, value]] : [];
    }),
  );
}

function assertSameOrigin(c: Context): void {
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== new URL(c.req.url).origin) {
    throw new WritError("auth.forbidden", "Sign in from the console's own page.");
  }
}

function errorBody(message: string): HtmlEscapedString {
  return html`<h1>That did not work</h1><p class="panel error" role="alert">${message}</p>` as HtmlEscapedString;
}
