/**
 * The shapes issue 22 measures, shared by the hot-path bench and its profile
 * run: a 3-hop writ whose every hop holds ten conditional grants on the
 * called action (the last one permits, so evaluation walks them all), a
 * guard on the in-memory backend, and a fresh call (new arguments, new
 * proof) each time.
 */
import { createGuard, type Guard, parseGrantText, type Session } from "@writ/core";
import { MemoryBackend } from "@writ/core/testing";
import { chain } from "./core.bench.js";

export const AUDIENCE = "urn:writ:bench";

/** Ten grants on the called action; only the last admits the call's note, so all ten are tried. */
export function tenConditionalGrants(action = "refunds.approve") {
  return parseGrantText(
    [
      ...Array.from(
        { length: 9 },
        (_, index) =>
          `${action}(amount < 5000, currency in [USD, EUR], note startsWith no${index})`,
      ),
      `${action}(amount < 5000, currency in [USD, EUR], note startsWith ok)`,
    ].join("; "),
  );
}

export interface HotPathWorld {
  readonly guard: Guard;
  readonly session: Session;
  /** A fresh call: arguments never seen before, a proof signed for them. */
  readonly freshCall: () => ReturnType<Guard["callFrom"]>;
}

export async function hotPathWorld(hops = 3): Promise<HotPathWorld> {
  const { issuer, session, agents, grants } = chain(hops, tenConditionalGrants());
  const backend = new MemoryBackend();
  backend.putUser({ id: "alice", permissions: grants });
  for (const agent of agents) backend.putAgent({ id: agent.id, policy: grants, keys: [agent] });
  const guard = await createGuard({ backend, issuer, audience: AUDIENCE });
  let serial = 0;
  const freshCall = () => {
    serial++;
    return guard.callFrom(session, {
      action: "refunds.approve",
      tool: "approve_refund",
      args: { amount: 1 + (serial % 4000), currency: "USD", note: `ok: customer ${serial}` },
    });
  };
  return { guard, session, freshCall };
}
