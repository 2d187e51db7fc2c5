/**
 * Who may do what, for the support-refunds workflow: one user, two agents,
 * and the grants the planner hands the worker. This is the file a team edits
 * first: everything the guard enforces starts here.
 */
import { type AgentIdentity, createAgentIdentity } from "@writ/core";
import type { StoreAdmin } from "@writ/store";

export const USER = "alice";
export const PLANNER = "support-planner";
export const WORKER = "refund-worker";

/**
 * Alice leads the support team. Refunds under $50 are routine; up to $1,000
 * a human must approve each one. Nothing larger, and only in USD or EUR.
 */
export const ALICE_PERMISSIONS = [
  "tickets.read",
  "support.assign",
  "refunds.approve(amount < 50, currency in [USD, EUR])",
  "refunds.approve(amount < 1000, currency in [USD, EUR]) needs approval",
].join("\n");

/** The planner reads the queue and assigns work; it may use any refunds action its user may. */
export const PLANNER_POLICY = "tickets.read; support.assign; refunds.*";

/** The worker only ever approves refunds: whatever a user or planner holds, nothing else. */
export const WORKER_POLICY = "refunds.approve";

/**
 * What the planner delegates to the worker: a strictly narrower writ. Routine
 * refunds run on their own, larger ones up to $250 wait for a human, and
 * anything bigger is beyond this worker even though Alice could approve it.
 */
export const WORKER_GRANTS = [
  "refunds.approve(amount < 50, currency in [USD, EUR])",
  "refunds.approve(amount < 250, currency in [USD, EUR]) needs approval",
].join("\n");

/** The worker's writ lives ten minutes: long enough for one queue, short enough to forget. */
export const WORKER_TTL_SECONDS = 600;

export interface Agents {
  readonly planner: AgentIdentity;
  readonly worker: AgentIdentity;
}

/**
 * Registers the user and both agents. Each run makes fresh agent keys and
 * adds them to the agents (a store kept between runs accumulates keys, which
 * is why writs are issued for one key by thumbprint).
 */
export async function registerDirectory(store: StoreAdmin): Promise<Agents> {
  const planner = createAgentIdentity(PLANNER);
  const worker = createAgentIdentity(WORKER);
  await store.putUser({ id: USER, permissions: ALICE_PERMISSIONS });
  await store.putAgent({ id: PLANNER, policy: PLANNER_POLICY, keys: [planner.key.publicJwk] });
  await store.putAgent({ id: WORKER, policy: WORKER_POLICY, keys: [worker.key.publicJwk] });
  return { planner, worker };
}
