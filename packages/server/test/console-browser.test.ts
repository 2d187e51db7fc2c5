/// <reference path="../../broker/test/support/oidc-provider.d.ts" />

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAgentIdentity, createGuard, type Guard, Session } from "@writ/core";
import { type StoreBackend, sqliteBackend } from "@writ/store";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWritServer, type ListeningWritServer, type WritServer } from "../src/index.js";
import { type Browser, type Locator, launchChromium, type Page } from "./support/browser.js";

/** The demo's story, loaded at run time: its own dependencies (LangChain, zod 3) stay out of this package's types. */
interface SupportRefundsExample {
  runSupportRefunds(options: {
    store: StoreBackend;
    models: unknown;
    reviewer: () => Promise<{ type: "approve"; by: string }>;
  }): Promise<{ plannerSession: Session; workerSession: Session | undefined }>;
  scriptedModels(): unknown;
  WORKER_GRANTS: string;
}
const EXAMPLE = new URL("../../../examples/support-refunds/src/", import.meta.url);

async function loadExample(): Promise<SupportRefundsExample> {
  const load = (name: string) => import(new URL(name, EXAMPLE).href);
  return {
    ...(await load("support-refunds.ts")),
    ...(await load("models.ts")),
    ...(await load("directory.ts")),
  } as SupportRefundsExample;
}

/** The README's pictures: taken here, from the demo's store, so they stay true. */
const SCREENSHOTS = fileURLToPath(new URL("../../../docs/console/", import.meta.url));

/**
 * The console in a real browser (Debian's chromium through playwright-core),
 * on the store `pnpm demo` leaves: sign in, watch a decision arrive, decide
 * an approval, revoke a hop, filter, edit a policy with its what-if, export,
 * and a viewer refused by the API.
 */
describe("the Writ console in a browser", { timeout: 240_000 }, () => {
  let folder: string;
  let store: StoreBackend;
  let server: WritServer;
  let listening: ListeningWritServer;
  let browser: Browser;
  let operatorKey: string;
  let viewerKey: string;
  let guard: Guard;
  let example: SupportRefundsExample;
  let demo: Awaited<ReturnType<SupportRefundsExample["runSupportRefunds"]>>;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "writ-console-"));
    store = await sqliteBackend({ path: join(folder, "writ.db") });
    example = await loadExample();
    demo = await example.runSupportRefunds({
      store,
      models: example.scriptedModels(),
      reviewer: async () => ({ type: "approve", by: "dana@ops" }),
    });
    operatorKey = (await store.createApiKey({ label: "console test" })).key;
    viewerKey = (await store.createApiKey({ scopes: ["read"], label: "viewer" })).key;
    server = await createWritServer({ store, audience: "urn:writ:console-test" });
    listening = await server.listen({ port: 0 });
    guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:example:support-refunds",
    });
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await guard?.close();
    await listening?.close();
    await store?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Waits until the locator holds the text (the page updates on its own). */
  async function contains(locator: Locator, text: string): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor();
  }

  async function signIn(key: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${listening.url}/console`);
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Activity" }).waitFor();
    return page;
  }

  /** A fresh writ for the demo's planner (the demo revoked its worker's). */
  async function plannerSession(): Promise<Session> {
    return new Session(
      demo.plannerSession.agent,
      await store.issue({
        user: "alice",
        agent: "support-planner",
        key: demo.plannerSession.agent.thumbprint,
      }),
    );
  }

  /** The planner delegates to the demo's worker, as in the demo. */
  async function workerSession(): Promise<Session> {
    const worker = demo.workerSession?.agent;
    if (!worker) throw new Error("the demo assigned no work");
    return (await plannerSession()).delegate(worker, { grants: example.WORKER_GRANTS, ttl: 600 });
  }

  async function plannerCall(action: string, args: Record<string, unknown>) {
    const session = await plannerSession();
    return guard.authorize(
      guard.callFrom(session, { action, tool: action.replace(".", "_"), args }),
    );
  }

  it("signs in with the operator key and shows a decision as it happens", async () => {
    const page = await signIn(operatorKey);
    expect(await page.locator("#activity tbody tr").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, "activity.png"), fullPage: false });
    const before = await page.locator("#activity tbody tr").count();
    await plannerCall("tickets.read", { queue: "refunds" });
    await page.locator("#activity tbody tr").nth(before).waitFor();
    await contains(page.locator("#activity tbody tr").first(), "tickets_read");
    await page.close();
  });

  it("filters the activity, and the URL keeps the filter", async () => {
    const page = await signIn(operatorKey);
    await page.getByLabel("Effect").selectOption("deny");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/decision=deny/);
    const effects = await page.locator("#activity tbody .effect").allTextContents();
    expect(effects.length).toBeGreaterThan(0);
    expect(new Set(effects)).toEqual(new Set(["denied"]));
    await page.locator("#activity tbody tr a").first().click();
    await page.getByRole("heading", { name: "The chain" }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "call.png"), fullPage: true });
    await page.close();
  });

  it("approves a pending request from the inbox, and the waiting run resumes", async () => {
    const session = await workerSession();
    const input = {
      action: "refunds.approve",
      tool: "approve_refund",
      args: { order: "B-2001", amount: 180, currency: "USD" },
      callId: "console-approval-call",
    };
    const first = await guard.authorize(guard.callFrom(session, input));
    expect(first.effect).toBe("approval_required");
    const page = await signIn(operatorKey);
    await page.goto(`${listening.url}/console/approvals`);
    const card = page.locator(`[data-approval="${first.approvalId}"]`);
    await card.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "approvals.png"), fullPage: false });
    await card.getByLabel("Note (kept in the ledger)").fill("Customer called; verified.");
    // Another request arrives while the reviewer writes: the note being typed stays.
    const another = await guard.authorize(
      guard.callFrom(session, { ...input, args: { ...input.args, order: "B-2009" }, callId: "c2" }),
    );
    await page.locator(`[data-approval="${another.approvalId}"]`).waitFor();
    await card.getByRole("button", { name: "Approve" }).click();
    await card.waitFor({ state: "detached" });
    const approval = await store.getApproval(first.approvalId as string);
    expect(approval).toMatchObject({
      status: "approved",
      decidedBy: `key:${operatorKey.slice(5, 21)}`,
      reason: "Customer called; verified.",
    });
    // The run resumes: the same call, asked again, is allowed once with the approval.
    const resumed = await guard.authorize(guard.callFrom(session, input));
    expect(resumed).toMatchObject({ effect: "allow", code: "approval.granted" });
    await page.goto(`${listening.url}/console`);
    await contains(page.locator("#activity tbody tr").first(), "allowed with a human approval");
    await page.close();
  });

  it("refuses a viewer who tries to approve, in the API", async () => {
    const session = await workerSession();
    const pending = await guard.authorize(
      guard.callFrom(session, {
        action: "refunds.approve",
        tool: "approve_refund",
        args: { order: "B-2002", amount: 90, currency: "EUR" },
      }),
    );
    const page = await signIn(viewerKey);
    await page.goto(`${listening.url}/console/approvals`);
    const card = page.locator(`[data-approval="${pending.approvalId}"]`);
    await card.waitFor();
    expect(await card.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    // Not only hidden: the API refuses the viewer's session.
    // In the page, as its own script would: the session cookie and the page's CSRF token go along.
    const answer = await page.evaluate<{ status: number; body: unknown }>(`(async () => {
      const csrf = document.querySelector('meta[name="writ-csrf"]').getAttribute("content");
      const response = await fetch("/v1/approvals/${pending.approvalId}/approve", {
        method: "POST",
        headers: { "content-type": "application/json", "x-writ-csrf": csrf },
        body: "{}",
      });
      return { status: response.status, body: await response.json() };
    })()`);
    expect(answer).toMatchObject({ status: 403, body: { code: "auth.forbidden" } });
    expect((await store.getApproval(pending.approvalId as string))?.status).toBe("pending");
    await page.close();
  });

  it("revokes a hop from its tree: the tree shows it and the next call is refused", async () => {
    const session = await workerSession();
    const call = () =>
      guard.authorize(
        guard.callFrom(session, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { order: "C-1", amount: 10, currency: "USD" },
        }),
      );
    expect((await call()).effect).toBe("allow");
    const page = await signIn(operatorKey);
    await page.goto(`${listening.url}/console/delegations/${session.writ.root.claims.jti}`);
    const leaf = session.writ.leaf.claims.jti;
    const hop = page.locator(`[data-hop="${leaf}"]`);
    await hop.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "delegations.png"), fullPage: false });
    await hop.getByRole("button", { name: "Revoke this hop" }).click();
    const dialog = page.getByRole("dialog");
    await contains(dialog, "support-planner → refund-worker");
    await dialog.getByLabel("Reason (kept in the ledger)").fill("Worker misbehaving");
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await page.locator(`[data-hop="${leaf}"].revoked`).waitFor();
    expect(await call()).toMatchObject({ effect: "deny", code: "revoked.hop" });
    await page.close();
  });

  it("shows what each budget has used in its current window, and what is left", async () => {
    const budgeted = new Session(
      demo.plannerSession.agent,
      await store.issue({
        user: "alice",
        agent: "support-planner",
        key: demo.plannerSession.agent.thumbprint,
        grants: "refunds.approve(amount < 50, currency == USD) within sum(amount) <= 100 per 1d",
      }),
    );
    const refund = (amount: number) =>
      guard.authorize(
        guard.callFrom(budgeted, {
          action: "refunds.approve",
          tool: "approve_refund",
          args: { order: `B-${amount}`, amount, currency: "USD" },
        }),
      );
    expect((await refund(40)).effect).toBe("allow");
    expect((await refund(40)).effect).toBe("allow");
    expect(await refund(40)).toMatchObject({ effect: "deny", code: "budget.exceeded" });
    const page = await signIn(viewerKey);
    await page.getByRole("link", { name: "Budgets" }).click();
    const row = page.locator(`tr:has(a:text("${budgeted.writ.leaf.claims.jti}"))`);
    await row.waitFor();
    expect(await row.locator("td").allTextContents()).toEqual([
      `hop ${budgeted.writ.leaf.claims.jti}`,
      "sum(amount) <= 100 per 1d",
      expect.stringMatching(/^\s*80$/),
      "20",
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/),
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, "budgets.png"), fullPage: false });
    await page.close();
  });

  it("revokes an agent's key from the directory, naming what stops working", async () => {
    const extra = createAgentIdentity("spare-key");
    await store.addAgentKey("support-planner", extra);
    const page = await signIn(operatorKey);
    await page.goto(`${listening.url}/console/directory/agents/support-planner`);
    await page
      .getByRole("button", { name: `Revoke key ${extra.thumbprint.slice(0, 10)}…` })
      .click();
    await contains(page.getByRole("dialog"), extra.thumbprint);
    await page.getByRole("dialog").getByLabel("Reason (kept in the ledger)").fill("Laptop lost");
    await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("button", { name: "Revoked" }).waitFor();
    expect(
      (await store.listRevocations({ kind: "key" })).items.map((revocation) => revocation.id),
    ).toContain(extra.thumbprint);
    await page.close();
  });

  it("edits a policy: a syntax error shown where it is, then a valid change with its what-if", async () => {
    const page = await signIn(operatorKey);
    await page.goto(`${listening.url}/console/directory`);
    await page.screenshot({ path: join(SCREENSHOTS, "directory.png"), fullPage: false });
    await page.goto(`${listening.url}/console/directory/agents/refund-worker`);
    const editor = page.getByLabel('Grants, in the text form (one per line, or separated by ";")');
    await editor.fill("refunds.approve(amount < )");
    await page.locator("#grants-status .error").waitFor();
    await contains(page.locator("#grants-status pre.caret"), "^");
    expect(await editor.getAttribute("aria-invalid")).toBe("true");
    await editor.fill("refunds.approve(amount < 30, currency in [USD, EUR])");
    await page.locator('#grants-status:has-text("Valid")').waitFor();
    await page.getByRole("button", { name: "What would change?" }).click();
    await page.locator("#what-if-summary").waitFor();
    expect(await page.locator("#what-if-summary").textContent()).toMatch(/[1-9]\d* would change/);
    await contains(page.locator("#what-if-table tbody tr").first(), "denied");
    await page.screenshot({ path: join(SCREENSHOTS, "policy-what-if.png"), fullPage: true });
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("#saved").waitFor();
    expect((await store.getAgent("refund-worker"))?.policy).toHaveLength(1);
    await page.close();
  });

  it("verifies the ledger with progress and exports OCSF", async () => {
    const page = await signIn(operatorKey);
    await page.goto(`${listening.url}/console/ledger`);
    await page.getByRole("button", { name: "Verify now" }).click();
    await page.locator('#verify-result:has-text("Intact")').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "ledger.png"), fullPage: false });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "OCSF 1.8" }).click(),
    ]);
    const path = join(folder, "export.ndjson");
    await download.saveAs(path);
    const lines = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(10);
    expect(new Set(lines.map((event) => event.class_uid))).toEqual(new Set([6003]));
    await page.close();
  });

  it("reports the first paint of each view on the demo's store (measured, never a budget)", async () => {
    const page = await signIn(operatorKey);
    const root = (await store.listRootHops({ limit: 1 })).items[0]?.jti as string;
    const views = {
      activity: "/console",
      approvals: "/console/approvals",
      delegations: `/console/delegations/${root}`,
      directory: "/console/directory",
      policy: "/console/directory/agents/support-planner",
      ledger: "/console/ledger",
    };
    const paints: Record<string, number> = {};
    for (const [name, path] of Object.entries(views)) {
      await page.goto(`${listening.url}${path}`);
      await page.locator("h1").first().waitFor();
      // The paint entry is recorded once the frame is painted, which may follow the heading's
      // arrival. Polled from here: the console's CSP (script-src 'self') refuses the eval
      // that waitForFunction runs in the page.
      const firstPaint = () =>
        page.evaluate<number | undefined>(
          `performance.getEntriesByName("first-contentful-paint")[0]?.startTime`,
        );
      let paint = await firstPaint();
      while (paint === undefined) {
        await page.waitForTimeout(10);
        paint = await firstPaint();
      }
      paints[name] = Math.round(paint);
    }
    console.log(`\n  console first paint on the demo's store (ms): ${JSON.stringify(paints)}\n`);
    expect(Object.values(paints).every((paint) => Number.isFinite(paint))).toBe(true);
    await page.close();
  });

  it("signs in through an identity provider the server trusts (code + PKCE), with the role its groups give", async () => {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const teamServer = await createWritServer({
      store,
      audience: "urn:writ:console-oidc",
      tokenExchange: {
        identityProviders: [
          {
            issuer,
            clientId: "writ-console",
            allowInsecureHttp: true,
            claims: { user: "email" },
            emailDomains: ["example.com"],
          },
        ],
      },
      console: {
        oidc: [
          {
            issuer,
            clientSecret: "console-secret",
            label: "Sign in with the team's identity provider",
            roles: { claim: "groups", map: { "support-leads": "approver" } },
          },
        ],
      },
    });
    const team = await teamServer.listen({ port: 0 });
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: "writ-console",
          client_secret: "console-secret",
          redirect_uris: [`${team.url}/console/oidc/callback`],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_post",
          id_token_signed_response_alg: "ES256",
        },
      ],
      scopes: ["openid", "email", "profile"],
      claims: { openid: ["sub"], email: ["email", "email_verified", "groups"] },
      conformIdTokenClaims: false,
      cookies: { keys: [randomBytes(32).toString("hex")] },
      jwks: {
        keys: [{ ...privateKey.export({ format: "jwk" }), kid: "k", alg: "ES256", use: "sig" }],
      },
      findAccount: (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: () => ({
          sub: id,
          email: "dana@example.com",
          email_verified: true,
          groups: ["support-leads"],
        }),
      }),
    });
    http.on("request", provider.callback());
    const page = await browser.newPage();
    try {
      await page.goto(`${team.url}/console`);
      await page.getByRole("link", { name: "Sign in with the team's identity provider" }).click();
      await page.locator('input[name="login"]').fill("dana");
      await page.locator('input[name="password"]').fill("any");
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').click(); // consent
      await page.getByRole("heading", { name: "Activity" }).waitFor();
      await contains(page.locator("header .who"), "dana@example.com · approver");
    } finally {
      await page.close();
      await team.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    }
  });
});
