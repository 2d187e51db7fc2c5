/**
 * Instruction counts of the in-memory hot path under callgrind, repeatable
 * whatever else the machine does (issue 22): N calls of the hot-path shape
 * (3-hop writ, ten conditional grants per hop, fresh arguments and proof),
 * each signed by the caller and authorized by the guard. Run it for two N and
 * divide the difference by the difference in N, so start-up cancels out. It
 * imports the built packages (pnpm build first): tsx under valgrind is slow.
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.N node --jitless \
 *     bench/hot-path-callgrind.mjs N
 */
import {
  createAgentIdentity,
  createGuard,
  IssuerKeySet,
  issueWrit,
  parseGrantText,
  Session,
} from "@writ/core";
import { MemoryBackend } from "@writ/core/testing";

const calls = Number(process.argv[2]);
const grants = parseGrantText(
  [
    ...Array.from(
      { length: 9 },
      (_, i) => `refunds.approve(amount < 5000, currency in [USD, EUR], note startsWith no${i})`,
    ),
    "refunds.approve(amount < 5000, currency in [USD, EUR], note startsWith ok)",
  ].join("; "),
);
const issuer = IssuerKeySet.generate("writ:bench");
const agents = [0, 1, 2].map((i) => createAgentIdentity(`agent-${i}`));
let session = new Session(
  agents[0],
  issueWrit({
    issuer,
    user: { id: "alice", permissions: grants },
    agent: { ...agents[0], policy: grants },
    maxDepth: 7,
    ttl: 3600,
  }),
);
for (const a of agents.slice(1)) session = session.delegate(a, { grants });
const backend = new MemoryBackend();
backend.putUser({ id: "alice", permissions: grants });
for (const a of agents) backend.putAgent({ id: a.id, policy: grants, keys: [a] });
const guard = await createGuard({ backend, issuer, audience: "urn:b" });
const prepared = Array.from({ length: calls }, (_, s) =>
  guard.callFrom(session, {
    action: "refunds.approve",
    tool: "t",
    args: { amount: 1 + s, currency: "USD", note: `ok ${s}` },
  }),
);
for (const c of prepared)
  if ((await guard.authorize(c)).effect !== "allow") throw new Error("deny");
await guard.close();
