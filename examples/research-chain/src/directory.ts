/**
 * Who may do what, for the research chain: one user and three agents, and
 * the grants each delegation hands down. Every hop narrows the one above it.
 */
import { type AgentIdentity, createAgentIdentity } from "@writ/core";
import type { StoreAdmin } from "@writ/store";

export const USER = "carol";
export const PLANNER = "planner";
export const RESEARCHER = "researcher";
export const WRITER = "writer";

/** Carol, an analyst: research, notes, and reports for internal readers or her team. */
export const CAROL_PERMISSIONS = [
  "web.search",
  "notes.*",
  "reports.publish(channel in [internal, team])",
  "tasks.delegate",
].join("\n");

export const POLICIES: Readonly<Record<string, string>> = {
  [PLANNER]: "web.search; notes.*; reports.*; tasks.delegate",
  [RESEARCHER]: "web.search; notes.*; reports.publish; tasks.delegate",
  [WRITER]: "notes.read; reports.publish",
};

/** Planner → researcher (hop 1): the research, and publishing its result internally only. */
export const RESEARCHER_GRANTS = [
  "web.search",
  "notes.*",
  "reports.publish(channel == internal)",
  "tasks.delegate",
].join("\n");

/** Researcher → writer (hop 2): read the notes, publish internally; no searching, no delegating. */
export const WRITER_GRANTS = ["notes.read", "reports.publish(channel == internal)"].join("\n");

export interface Crew {
  readonly planner: AgentIdentity;
  readonly researcher: AgentIdentity;
  readonly writer: AgentIdentity;
}

/** Registers Carol and the three agents, each with a fresh key for this run. */
export async function registerDirectory(store: StoreAdmin): Promise<Crew> {
  const crew = {
    planner: createAgentIdentity(PLANNER),
    researcher: createAgentIdentity(RESEARCHER),
    writer: createAgentIdentity(WRITER),
  };
  await store.putUser({ id: USER, permissions: CAROL_PERMISSIONS });
  for (const agent of Object.values(crew)) {
    await store.putAgent({
      id: agent.id,
      policy: POLICIES[agent.id] ?? "",
      keys: [agent.key.publicJwk],
    });
  }
  return crew;
}
