import type { Backend, CallCheck, Clock, WritError } from "@writ/core";
import type { LedgerEntry } from "@writ/core/backend";

type AllowedCall = Extract<CallCheck, { readonly valid: true }>;

interface ConnectionFacts {
  readonly id: string;
  readonly user: string;
  readonly tenant?: string;
  readonly provider: string;
}

/**
 * The broker's rows in the audit ledger: `admin` events whose `detail.op`
 * says what happened (`credential.connect`, `credential.refresh`,
 * `credential.disconnect`, `credential.rewrap`). They name the connection,
 * provider and scopes, and for a refresh the call that needed it; never a
 * token, a code or a verifier.
 */
export class CredentialLedger {
  readonly #ledger: Pick<Backend, "append">;
  readonly #clock: Clock;

  constructor(ledger: Pick<Backend, "append">, clock: Clock) {
    this.#ledger = ledger;
    this.#clock = clock;
  }

  async connected(connection: ConnectionFacts, scopes: readonly string[]): Promise<void> {
    await this.#append({
      ...this.#about(connection),
      outcome: "ok",
      detail: {
        op: "credential.connect",
        provider: connection.provider,
        connection: connection.id,
        scopes: scopes.join(" "),
      },
    });
  }

  /** A refresh made for `call`: its outcome, and the error code when it failed. */
  async refreshed(
    call: AllowedCall,
    connection: ConnectionFacts,
    scopes: readonly string[],
    result: { readonly rotated: boolean } | { readonly failure: WritError },
  ): Promise<void> {
    await this.#append({
      ...this.#about(connection),
      callId: call.callId,
      agent: call.agent,
      chain: { agents: call.chain, hops: call.hops },
      action: call.action,
      tool: call.tool,
      outcome: "failure" in result ? "error" : "ok",
      reason: "failure" in result ? result.failure.code : undefined,
      detail: {
        op: "credential.refresh",
        provider: connection.provider,
        connection: connection.id,
        scopes: scopes.join(" "),
        ...("rotated" in result ? { rotated: result.rotated } : {}),
      },
    });
  }

  async disconnected(connection: ConnectionFacts, revoked: boolean): Promise<void> {
    await this.#append({
      ...this.#about(connection),
      outcome: "ok",
      detail: {
        op: "credential.disconnect",
        provider: connection.provider,
        connection: connection.id,
        revoked,
      },
    });
  }

  async rewrapped(keyId: string, count: number): Promise<void> {
    await this.#append({ outcome: "ok", detail: { op: "credential.rewrap", keyId, count } });
  }

  #about(connection: ConnectionFacts): Pick<LedgerEntry, "user" | "tenant"> {
    return { user: connection.user, tenant: connection.tenant };
  }

  async #append(entry: Omit<LedgerEntry, "kind" | "time">): Promise<void> {
    await this.#ledger.append([{ entry: { ...entry, kind: "admin", time: this.#clock() } }]);
  }
}
