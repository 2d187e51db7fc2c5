import { issueWrit, type Writ, WritError } from "@writ/core";
import type { IssueInput } from "@writ/core/backend";
import { delegationRecords, servesTenant } from "@writ/core/backend";
import type { DelegationGraph } from "../delegations/delegation-graph.js";
import { assertId } from "../directory/assert-id.js";
import { type Directory, notFound } from "../directory/directory.js";
import type { IssuerKeyStore } from "../directory/issuer-key-store.js";
import type { LedgerWriter } from "../ledger/ledger-writer.js";
import type { RevocationStore } from "../revocations/revocation-store.js";
import type { StoreContext } from "../store-context.js";

/** The parts of a store that issuing reads and writes. */
export interface IssuingParts {
  readonly ctx: StoreContext;
  readonly directory: Directory;
  readonly issuerKeys: IssuerKeyStore;
  readonly revocations: RevocationStore;
  readonly delegations: DelegationGraph;
  readonly writer: LedgerWriter;
}

/**
 * Issues a root writ from the store's own state: the user's current
 * permissions ∩ the agent's policy, bound to one of the agent's registered
 * keys, signed with the active issuer key. Refuses revoked users, agents,
 * keys and issuer keys. The hop enters the delegation graph and the ledger
 * in one transaction.
 */
export async function issueWritFromStore(parts: IssuingParts, input: IssueInput): Promise<Writ> {
  const { ctx, directory } = parts;
  assertId(input.user, "user");
  assertId(input.agent, "agent");
  const user = await directory.userState(input.user);
  if (!user) throw notFound("user", input.user);
  const agent = await directory.agentState(input.agent);
  if (!agent) throw notFound("agent", input.agent);
  if (!servesTenant(agent, user.tenant)) {
    throw new WritError(
      "live.tenant_mismatch",
      `User "${user.id}" and agent "${agent.id}" belong to different tenants.`,
      { agent: agent.id },
    );
  }
  const key = input.key ?? (agent.keys.length === 1 ? agent.keys[0] : undefined);
  if (key === undefined) {
    throw new TypeError(
      agent.keys.length === 0
        ? `Agent "${agent.id}" has no registered key: add one with addAgentKey() before issuing.`
        : `Agent "${agent.id}" has ${agent.keys.length} keys: pass the thumbprint of the one to bind as "key".`,
    );
  }
  if (!agent.keys.includes(key)) {
    throw new WritError(
      "live.agent_key_unknown",
      `That key is not registered for agent "${agent.id}".`,
      { agent: agent.id },
    );
  }
  const issuer = await parts.issuerKeys.load();
  const revoked = await parts.revocations.firstRevoked([
    ["user", user.id],
    ["agent", agent.id],
    ["key", key],
    ["issuer_key", issuer.active.kid],
  ]);
  if (revoked) {
    throw new WritError(
      `revoked.${revoked}`,
      `Cannot issue: the ${revoked.replace("_", " ")} is revoked.`,
    );
  }
  const writ = issueWrit({
    issuer,
    user: { id: user.id, permissions: user.permissions },
    agent: { id: agent.id, thumbprint: key, policy: agent.policy },
    ...(input.grants === undefined ? {} : { grants: input.grants }),
    ...(user.tenant === undefined ? {} : { tenant: user.tenant }),
    ...(input.ttl === undefined ? {} : { ttl: input.ttl }),
    ...(input.maxDepth === undefined ? {} : { maxDepth: input.maxDepth }),
    clock: ctx.clock,
    random: ctx.random,
  });
  const { claims } = writ.root;
  await parts.writer.transaction(async (tx, append) => {
    await parts.delegations.record(tx, delegationRecords(writ));
    await append([
      {
        entry: {
          kind: "issue",
          time: ctx.clock(),
          tenant: claims.tnt,
          user: claims.sub,
          agent: claims.aud,
          chain: { agents: [claims.aud], hops: [claims.jti] },
          detail: { jti: claims.jti, kid: issuer.active.kid, expiresAt: claims.exp },
        },
      },
    ]);
  });
  return writ;
}
