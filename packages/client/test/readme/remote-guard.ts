/** The README's example: a guard on a Writ server elsewhere, and a writ from the user's ID token. */
import { exchangeToken, fetchIssuerKeys, remoteBackend } from "@writ/client";
import { type AgentIdentity, createGuard, type Session } from "@writ/core";

/**
 * `url` is the Writ server; `apiKey` a key it accepts; `idToken` the signed-in
 * user's ID token; `supportBot` the agent's identity, with its private key.
 */
export async function refundForSignedInUser(
  url: string,
  apiKey: string,
  idToken: string,
  supportBot: AgentIdentity,
) {
  const approveRefund = (amount: number) => `refunded ${amount}`; // your tool
  const guard = await createGuard({
    backend: remoteBackend({ url, apiKey }), // a "guard"-scoped key is enough
    issuer: await fetchIssuerKeys({ url }),
    audience: "urn:writ:tools:support",
  });

  // An agent trades the signed-in user's ID token for a root writ bound to its own key.
  const session: Session = await exchangeToken({ url, subjectToken: idToken, agent: supportBot });
  const { decision } = await guard.run(
    guard.callFrom(session, {
      action: "refunds.approve",
      tool: "approve_refund",
      args: { amount: 40 },
    }),
    () => approveRefund(40),
  );
  await guard.close();
  return decision;
}
