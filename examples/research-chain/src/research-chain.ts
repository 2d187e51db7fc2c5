/**
 * The research chain: Carol's planner hands research to a researcher, which
 * hands the writing to a writer: a three-hop writ. Then the middle hop is
 * revoked. The writer's own hop was never touched, yet its next call is
 * refused, because its writ descends from the revoked one; the planner,
 * above the revoked hop, carries on.
 */
import { createGuard, type LedgerRecord, Session, type Writ } from "@writ/core";
import type { DelegationNode, LedgerVerification, StoreBackend } from "@writ/store";
import { type CrewOptions, createPlanner, createWriter, lastText, type Models } from "./agents.js";
import { PLANNER, RESEARCHER, registerDirectory, USER, WRITER } from "./directory.js";
import { Notebook, type Report, ReportChannel, SearchIndex } from "./research-desk.js";

/** The guard's audience: proofs name it, so they are good for this guard only. */
export const AUDIENCE = "urn:writ:example:research-chain";

export const REQUEST =
  "Find out how AI agents should carry delegated authority, and publish an internal brief.";
export const REVOCATION_REASON = "a source the researcher used is under review";

/** Hooks for telling the story as it happens; every one is optional. */
export interface Narrator {
  phase?(title: string): void;
  /** Decision and revocation rows since the last call, with each call's stored arguments. */
  rows?(rows: readonly LedgerRecord[], inputs: ReadonlyMap<string, unknown>): void;
  said?(agent: string, text: string): void;
  /** The longest writ handed out: planner → researcher → writer. */
  delegated?(writ: Writ): void;
}

export interface ResearchChainResult {
  /** The session of each agent, by id, as handed out. */
  readonly sessions: ReadonlyMap<string, Session>;
  readonly published: readonly Report[];
  readonly rows: readonly LedgerRecord[];
  readonly tree: DelegationNode | undefined;
  readonly verification: LedgerVerification;
}

export async function runResearchChain(options: {
  readonly store: StoreBackend;
  readonly models: Models;
  readonly narrator?: Narrator;
}): Promise<ResearchChainResult> {
  const { store, models } = options;
  const narrator = options.narrator ?? {};
  const rows: LedgerRecord[] = [];
  let lastSeq = 0;
  const flush = async () => {
    const fresh = (await chainRows(store)).filter((row) => row.seq > lastSeq);
    lastSeq = fresh.at(-1)?.seq ?? lastSeq;
    rows.push(...fresh);
    const shown = fresh.filter((row) => row.kind === "decision" || row.kind === "revocation");
    const inputs = new Map<string, unknown>();
    for (const row of shown) {
      if (row.inputHash) inputs.set(row.inputHash, (await store.getPayload(row.inputHash))?.body);
    }
    narrator.rows?.(shown, inputs);
  };

  const crew = await registerDirectory(store);
  const guard = await createGuard({
    backend: store,
    issuer: await store.issuerKeys(),
    audience: AUDIENCE,
  });
  try {
    const sessions = new Map<string, Session>();
    const planner = new Session(
      crew.planner,
      await store.issue({ user: USER, agent: PLANNER, key: crew.planner.thumbprint }),
    );
    sessions.set(PLANNER, planner);
    const reports = new ReportChannel();
    const crewOptions: CrewOptions = {
      guard,
      models,
      crew,
      search: new SearchIndex(),
      notebook: new Notebook(),
      reports,
      sessions,
    };
    const plannerAgent = createPlanner(crewOptions);

    narrator.phase?.(`${USER} asks the planner; the work flows down three hops`);
    const first = await plannerAgent.invoke(
      { messages: [{ role: "user", content: REQUEST }] },
      { context: { writSession: planner } },
    );
    await flush();
    narrator.said?.(PLANNER, lastText(first.messages));

    const researcher = sessions.get(RESEARCHER);
    const writer = sessions.get(WRITER);
    if (writer) narrator.delegated?.(writer.writ);
    if (researcher) {
      narrator.phase?.(`${USER} revokes the middle hop: the researcher's (${REVOCATION_REASON})`);
      await store.revoke({
        kind: "hop",
        id: researcher.writ.leaf.claims.jti,
        reason: REVOCATION_REASON,
      });
      await flush();
    }
    if (writer) {
      narrator.phase?.("The writer, whose own hop was never revoked, tries to publish again");
      const again = await createWriter(crewOptions).invoke(
        {
          messages: [
            { role: "user", content: "Publish a correction: one source is under review." },
          ],
        },
        { context: { writSession: writer } },
      );
      await flush();
      narrator.said?.(WRITER, lastText(again.messages));
    }
    narrator.phase?.("The planner, above the revoked hop, carries on");
    const later = await plannerAgent.invoke(
      { messages: [{ role: "user", content: "What do the research notes say?" }] },
      { context: { writSession: planner } },
    );
    await flush();
    narrator.said?.(PLANNER, lastText(later.messages));

    return {
      sessions,
      published: reports.published,
      rows,
      tree: await store.delegationTree(planner.writ.root.claims.jti),
      verification: await store.verifyLedger(),
    };
  } finally {
    await guard.close();
  }
}

/** The rows this store instance wrote (its own chain), oldest first. */
async function chainRows(store: StoreBackend): Promise<LedgerRecord[]> {
  const rows: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryLedger({
      chainId: store.chainId,
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    rows.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return rows.sort((a, b) => a.seq - b.seq);
}
