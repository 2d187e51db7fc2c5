import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAgentIdentity, createGuard, Session } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writ } from "./support/run-writ.js";

describe("writ budgets show", () => {
  let cwd: string;
  const run = (...args: string[]) => writ(args, { cwd });

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "writ-budgets-"));
    expect((await run("init", "--issuer", "acme-writ")).code).toBe(0);
    expect(
      (
        await run(
          "users",
          "put",
          "alice",
          "--grants",
          "refunds.approve(amount < 100) within sum(amount) <= 500 per 1d",
        )
      ).code,
    ).toBe(0);
    // A guard on the project's store spends some of alice's budget.
    const store = await sqliteBackend({ path: join(cwd, ".writ", "writ.db") });
    const agent = createAgentIdentity("support-bot");
    await store.putAgent({ id: agent.id, policy: "refunds.approve", keys: [agent] });
    const guard = await createGuard({
      backend: store,
      issuer: await store.issuerKeys(),
      audience: "urn:writ:cli-test",
    });
    const session = new Session(agent, await store.issue({ user: "alice", agent: agent.id }));
    for (const amount of [40, 80]) {
      const decision = await guard.authorize(
        guard.callFrom(session, { action: "refunds.approve", tool: "refund", args: { amount } }),
      );
      expect(decision.effect).toBe("allow");
    }
    await guard.close();
    await store.close();
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it("shows a user's budgets: what each window used, has left, and when it resets", async () => {
    const shown = await run("budgets", "show", "alice");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      /user\s+sum\(amount\) <= 500 per 1d\s+refunds\.approve\s+120\s+380/,
    );
    const [usage] = JSON.parse((await run("budgets", "show", "alice", "--json")).stdout) as {
      scope: string;
      used: number;
      max: number;
      resetsAt: number;
    }[];
    expect(usage).toMatchObject({ scope: "user", used: 120, max: 500 });
    // Fixed windows: a daily budget's window ends at midnight UTC.
    expect((usage?.resetsAt ?? 1) % 86_400_000).toBe(0);
  });

  it("says when nothing was used, and refuses an unknown scope", async () => {
    const none = await run("budgets", "show", "support-bot");
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("(no budget of support-bot has been used in its current window)");
    const bad = await run("budgets", "show", "alice", "--scope", "tenant");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--scope must be one of hop, user, agent");
  });
});
