import { type AllowDecision, Guard, ProviderAccessToken, WritError } from "@writ/core";
import { HttpTransport, type RemoteOptions } from "./http-transport.js";

export interface RemoteCredentialsOptions extends RemoteOptions {
  /** The guard in this process whose allowed calls may get tokens (a gateway's). Its key needs the guard scope. */
  readonly guard: Guard;
  /** The providers the server's broker is configured for (a gateway checks its upstreams against them). */
  readonly providers: readonly string[];
  /** How long after the guard allowed a call it may still get tokens, in ms. Default 120,000; the server applies its broker's bound too. */
  readonly maxCallAgeMs?: number;
}

/**
 * The credential broker of a Writ server, for a process that has no
 * database connection (an MCP gateway, an application's tool process). A
 * provider token is asked for only inside a call this process's guard
 * allowed and is still running; the server then checks the same call in its
 * ledger and live state before its broker hands the token out. The token
 * stays in memory: it is never stored or logged here (ProviderAccessToken
 * hides it from JSON, strings and inspection).
 */
export class RemoteCredentials {
  readonly providers: readonly string[];
  readonly #http: HttpTransport;
  readonly #guard: Guard;
  readonly #maxCallAgeMs: number;

  constructor(options: RemoteCredentialsOptions) {
    if (!(options?.guard instanceof Guard)) {
      throw new TypeError("remoteCredentials needs { guard }: the guard that allows the calls.");
    }
    if (!Array.isArray(options.providers) || options.providers.length === 0) {
      throw new TypeError("remoteCredentials needs the providers the server's broker has.");
    }
    const maxCallAgeMs = options.maxCallAgeMs ?? 120_000;
    if (!Number.isSafeInteger(maxCallAgeMs) || maxCallAgeMs <= 0) {
      throw new TypeError("maxCallAgeMs must be a positive whole number of ms.");
    }
    this.#http = new HttpTransport(options);
    this.#guard = options.guard;
    this.#maxCallAgeMs = maxCallAgeMs;
    this.providers = [...options.providers];
  }

  /**
   * The user's access token at `provider` for a running call the guard
   * allowed, scoped to the call's action. Refused with the codes of
   * `CredentialBroker.getAccessToken()`.
   */
  async getAccessToken(decision: AllowDecision, provider: string): Promise<ProviderAccessToken> {
    if (!this.providers.includes(provider)) {
      throw new TypeError(
        `Unknown provider ${JSON.stringify(provider)}: the server's broker has ${this.providers.join(", ")}.`,
      );
    }
    const check = this.#guard.checkCall(decision, { maxAgeMs: this.#maxCallAgeMs });
    if (!check.valid) {
      throw new WritError(check.code, `No token from "${provider}": ${check.message}`, {
        name: provider,
      });
    }
    const token = await this.#http.json<{
      provider: string;
      tokenType: string;
      scopes: string[];
      expiresAt: number;
      value: string;
    }>("POST", "/v1/credentials/access-token", {
      body: { callId: decision.callId, eventId: decision.eventId, provider },
    });
    return new ProviderAccessToken(token);
  }
}

/** Checks the options once and returns the remote broker. */
export function remoteCredentials(options: RemoteCredentialsOptions): RemoteCredentials {
  return new RemoteCredentials(options);
}
