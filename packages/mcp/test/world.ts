import type { Guard, LedgerRecord, Session } from "@writ/core";
import { createTestWorld, type TestBackend } from "@writ/core/testing";
import { sqliteTestBackend } from "../../../test/support/sqlite-test-backend.js";

export interface WorldOptions {
  /** Alice's permissions. */
  readonly permissions: string;
  /** The planner's policy (and the worker's). */
  readonly policy: string;
  /** The guard's audience. */
  readonly audience: string;
  readonly closeWith?: (close: () => Promise<void>) => void;
}

export interface World {
  readonly backend: TestBackend;
  readonly guard: Guard;
  /** The planner acting for alice: the root hop. */
  readonly session: Session;
  /** The worker's session, delegated `grants` by the planner. */
  delegate(grants: string): Session;
  /** Ledger rows of a tool call's kinds (decision, outcome), oldest first. */
  calls(): Promise<readonly LedgerRecord[]>;
}

/** Alice, a planner and a worker, a guard for `audience`, and the planner's session. */
export async function createWorld(options: WorldOptions): Promise<World> {
  const world = await createTestWorld({
    backend: await sqliteTestBackend(options.closeWith ? { closeWith: options.closeWith } : {}),
    issuer: "writ:mcp-test",
    audience: options.audience,
    user: { id: "alice", permissions: options.permissions },
    agents: { planner: options.policy, worker: options.policy },
  });
  const session = world.session("planner");
  return {
    backend: world.backend,
    guard: world.guard,
    session,
    delegate: (grants) => session.delegate(world.agents.worker, { grants }),
    calls: () => world.rows(["decision", "outcome"]),
  };
}
