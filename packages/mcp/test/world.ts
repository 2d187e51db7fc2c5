import {
  type AgentIdentity,
  createAgentIdentity,
  createGuard,
  type Guard,
  IssuerKeySet,
  issueWrit,
  type LedgerRecord,
  Session,
} from "@writ/core";
import type { ConformanceBackend } from "../../../test/adapters/adapter-conformance.js";
import { sqliteConformanceBackend } from "../../../test/adapters/sqlite-conformance-backend.js";

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
  readonly backend: ConformanceBackend;
  readonly guard: Guard;
  readonly issuer: IssuerKeySet;
  /** The planner acting for alice: the root hop. */
  readonly session: Session;
  readonly worker: AgentIdentity;
  /** The worker's session, delegated `grants` by the planner. */
  delegate(grants: string): Session;
  /** Ledger rows of a tool call's kinds (decision, outcome), oldest first. */
  calls(): Promise<readonly LedgerRecord[]>;
}

/** Alice, a planner and a worker, a guard for `audience`, and the planner's session. */
export async function createWorld(options: WorldOptions): Promise<World> {
  const backend = await sqliteConformanceBackend(
    options.closeWith ? { closeWith: options.closeWith } : {},
  );
  const issuer = IssuerKeySet.generate("writ:mcp-test");
  const planner = createAgentIdentity("planner");
  const worker = createAgentIdentity("worker");
  await backend.putUser({ id: "alice", permissions: options.permissions });
  await backend.putAgent({ id: "planner", policy: options.policy, keys: [planner] });
  await backend.putAgent({ id: "worker", policy: options.policy, keys: [worker] });
  const guard = await createGuard({ backend, issuer, audience: options.audience });
  const session = new Session(
    planner,
    issueWrit({
      issuer,
      user: { id: "alice", permissions: options.permissions },
      agent: { ...planner, policy: options.policy },
    }),
  );
  return {
    backend,
    guard,
    issuer,
    session,
    worker,
    delegate: (grants) => session.delegate(worker, { grants }),
    calls: async () =>
      (await backend.ledger()).filter((row) => row.kind === "decision" || row.kind === "outcome"),
  };
}
