import { type Clock, type RandomSource, systemClock, systemRandom } from "../clock.js";
import { createGuard, type Guard } from "../guard/guard.js";
import type { GuardOptions } from "../guard/guard-options.js";
import { type AgentIdentity, createAgentIdentity } from "../keys/agent-identity.js";
import { IssuerKeySet } from "../keys/issuer-keys.js";
import type { LedgerEventKind, LedgerRecord } from "../ledger/ledger-record.js";
import { Session } from "../session.js";
import { issueWrit } from "../writ/issue-writ.js";
import { MemoryBackend } from "./memory-backend.js";
import type { TestBackend } from "./test-backend.js";

export interface TestWorldOptions<A extends string, B extends TestBackend> {
  /** The guard's audience. */
  readonly audience: string;
  /** The user every session acts for, with their permissions. */
  readonly user: { readonly id: string; readonly permissions: string };
  /** The agents, by id, with their policies; each gets a fresh key pair. */
  readonly agents: Readonly<Record<A, string>>;
  /** Default: a MemoryBackend on the world's clock and randomness. */
  readonly backend?: B;
  /** Drive the guard and the sessions when given; default the system's. */
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** The issuer id of the root writs. Default "writ:test". */
  readonly issuer?: string;
  /** Further guard options (sets, deadlines, redaction …). */
  readonly guard?: Omit<Partial<GuardOptions>, "backend" | "issuer" | "audience">;
}

/** A user, agents registered with their policies and keys, and a guard over the backend. */
export interface TestWorld<A extends string, B extends TestBackend> {
  readonly backend: B;
  readonly guard: Guard;
  readonly issuer: IssuerKeySet;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Each agent's identity, by id. */
  readonly agents: Readonly<Record<A, AgentIdentity>>;
  /** A root session for the user: their permissions ∩ the agent's policy. */
  session(agent: A): Session;
  /** The ledger rows of these kinds (default: every kind), oldest first. */
  rows(kinds?: readonly LedgerEventKind[]): Promise<LedgerRecord[]>;
}

/**
 * Builds the world most guard and adapter tests start from: the backend is
 * populated through the TestBackend calls, and root writs are issued by the
 * world's own issuer, whose keys the guard pins.
 */
export async function createTestWorld<A extends string, B extends TestBackend = MemoryBackend>(
  options: TestWorldOptions<A, B>,
): Promise<TestWorld<A, B>> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const backend = options.backend ?? (new MemoryBackend({ clock, random }) as TestBackend as B);
  const issuer = IssuerKeySet.generate(options.issuer ?? "writ:test");
  const { user } = options;
  await backend.putUser(user);
  const agents = {} as Record<A, AgentIdentity>;
  for (const [id, policy] of Object.entries<string>(options.agents) as [A, string][]) {
    agents[id] = createAgentIdentity(id);
    await backend.putAgent({ id, policy, keys: [agents[id]] });
  }
  const timing = {
    ...(options.clock ? { clock } : {}),
    ...(options.random ? { random } : {}),
  };
  const guard = await createGuard({
    ...options.guard,
    backend,
    issuer,
    audience: options.audience,
    ...timing,
  });
  return {
    backend,
    guard,
    issuer,
    clock,
    random,
    agents,
    session: (id) =>
      new Session(
        agents[id],
        issueWrit({
          issuer,
          user,
          agent: { ...agents[id], policy: options.agents[id] },
          ...timing,
        }),
        timing,
      ),
    rows: async (kinds) =>
      (await backend.ledger()).filter((row) => kinds === undefined || kinds.includes(row.kind)),
  };
}
