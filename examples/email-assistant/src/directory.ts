/**
 * Who may do what, for the email assistant: one user and one agent. The two
 * named sets are the point: which addresses are CRM contacts, and which
 * documents are labelled public, are answered by the application at the
 * moment of each call, never by the token or the model.
 */
import { type AgentIdentity, createAgentIdentity } from "@writ/core";
import type { StoreAdmin } from "@writ/store";

export const USER = "sam";
export const AGENT = "email-assistant";

/** Sam, an account manager, may email his CRM contacts and read public documents. */
export const SAM_PERMISSIONS = [
  "docs.list",
  "docs.read(id in @docs.public)",
  "email.send(to in @crm.contacts)",
].join("\n");

/**
 * The assistant's policy: documents and email, whoever deploys it. The
 * conditions come from the user's permissions; the root writ holds their
 * intersection.
 */
export const ASSISTANT_POLICY = "docs.*; email.send";

/** Registers the user and the agent, with a fresh key for this run's agent. */
export async function registerDirectory(store: StoreAdmin): Promise<AgentIdentity> {
  const assistant = createAgentIdentity(AGENT);
  await store.putUser({ id: USER, permissions: SAM_PERMISSIONS });
  await store.putAgent({ id: AGENT, policy: ASSISTANT_POLICY, keys: [assistant.key.publicJwk] });
  return assistant;
}
