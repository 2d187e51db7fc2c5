import { createGuard, parseGrantText } from "@writ/core";
import { sqliteBackend } from "@writ/store";
import { expect, it, onTestFinished } from "vitest";
import { PLANNER, RESEARCHER, USER, WRITER, WRITER_GRANTS } from "../src/directory.js";
import { scriptedModels } from "../src/models.js";
import { AUDIENCE, REVOCATION_REASON, runResearchChain } from "../src/research-chain.js";

it("carries a three-hop writ, and revoking the middle hop cuts off the writer but not the planner", async () => {
  const store = await sqliteBackend({ path: ":memory:" });
  onTestFinished(() => store.close());
  const result = await runResearchChain({ store, models: scriptedModels() });

  const planner = result.sessions.get(PLANNER);
  const researcher = result.sessions.get(RESEARCHER);
  const writer = result.sessions.get(WRITER);
  expect(writer?.writ.hops.map((hop) => hop.claims.aud)).toEqual([PLANNER, RESEARCHER, WRITER]);
  expect(writer?.writ.leaf.claims.grants).toEqual(parseGrantText(WRITER_GRANTS));
  expect(writer?.writ.leaf.claims.dmax).toBe(0);

  // Before the revocation: the brief went out internally; the team channel was refused by the researcher's hop.
  expect(result.published.map((report) => [report.channel, report.by])).toEqual([
    ["internal", WRITER],
  ]);
  const decisions = result.rows.filter((row) => row.kind === "decision");
  const line = (row: (typeof decisions)[number]) =>
    `${row.chain?.agents.join(">")} ${row.tool} ${row.decision} ${row.reason}${
      typeof row.detail?.hop === "number" ? ` hop ${row.detail.hop}` : ""
    }`;
  expect(decisions.map(line)).toEqual([
    "planner assign_research allow granted",
    "planner>researcher search_web allow granted",
    "planner>researcher save_note allow granted",
    "planner>researcher assign_writing allow granted",
    "planner>researcher>writer read_notes allow granted",
    "planner>researcher>writer publish_report allow granted",
    "planner>researcher>writer publish_report deny grant.condition_failed hop 1",
    // After the researcher's hop is revoked:
    "planner>researcher>writer publish_report deny revoked.hop hop 1",
    "planner read_notes allow granted",
  ]);
  const teamRefusal = decisions[6];
  expect(teamRefusal?.detail).toMatchObject({ decidedBy: RESEARCHER, path: "channel" });

  // Only the middle hop was revoked; the writer's own hop never was.
  const revocations = (await store.listRevocations()).items;
  expect(revocations.map((r) => [r.kind, r.id, r.reason])).toEqual([
    ["hop", researcher?.writ.leaf.claims.jti, REVOCATION_REASON],
  ]);
  expect(revocations.map((r) => r.id)).not.toContain(writer?.writ.leaf.claims.jti);
  expect(result.tree).toMatchObject({
    toAgent: PLANNER,
    revoked: false,
    children: [
      {
        toAgent: RESEARCHER,
        revoked: true,
        children: [{ toAgent: WRITER, revoked: true, children: [] }],
      },
    ],
  });

  // A fresh guard on the same store agrees: the researcher is cut off too, the planner is not.
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: AUDIENCE,
  });
  onTestFinished(() => guard.close());
  const ask = async (session: typeof planner) =>
    session
      ? await guard.authorize(
          guard.callFrom(session, {
            action: "web.search",
            tool: "search_web",
            args: { query: "q" },
          }),
        )
      : undefined;
  expect(await ask(researcher)).toMatchObject({ effect: "deny", code: "revoked.hop", hop: 1 });
  expect(await ask(planner)).toMatchObject({ effect: "allow", user: USER });
  expect(result.verification.ok).toBe(true);
});
