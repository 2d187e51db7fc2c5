import {
  type AllowDecision,
  type Backend,
  type Clock,
  Guard,
  type ProviderAccessToken,
  type RandomSource,
  systemClock,
  systemRandom,
} from "@writ/core";
import { type CredentialStore, isPrincipalId, type StoredAccessToken } from "@writ/core/backend";
import { AccessTokens, type AllowedCall } from "./access-tokens.js";
import {
  type CompleteConnectInput,
  ConnectFlow,
  type StartConnectInput,
  type StartedConnect,
} from "./connect-flow.js";
import { type ConnectionInfo, connectionInfo } from "./connection-info.js";
import { CredentialKeyring } from "./credential-keyring.js";
import { CredentialLedger } from "./credential-ledger.js";
import { OAuthProvider } from "./oauth-provider.js";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";
import { providerFailure } from "./provider-failure.js";
import { sealContext } from "./seal-context.js";

export interface CredentialBrokerOptions {
  /** Where connections live: `store.credentials` of a `@writ/store` store. */
  readonly store: CredentialStore;
  /** Where connects, refreshes, disconnects and re-wraps are recorded: the store (a Backend). */
  readonly ledger: Pick<Backend, "append">;
  /** The key-encryption keys (`keyringFromEnvironment()` reads `WRIT_BROKER_KEK`). */
  readonly keyring: CredentialKeyring;
  readonly providers: readonly OAuthProviderOptions[];
  /**
   * The guard whose allowed calls may get tokens. Required for
   * getAccessToken(); a process that only runs connect flows (the Writ
   * server) leaves it out.
   */
  readonly guard?: Guard;
  /** How long after the guard allowed a call it may still get tokens, in ms. Default 120,000 (2 min). */
  readonly maxCallAgeMs?: number;
  /**
   * A stored access token is handed out only while it has at least this long
   * to live (or half its lifetime, if shorter), in ms; otherwise a fresh one
   * is minted. Default 30,000.
   */
  readonly minTokenLifetimeMs?: number;
  /** How long a connect flow may take from startConnect() to its callback, in ms. Default 600,000 (10 min). */
  readonly connectTtlMs?: number;
  /** Per request to a provider, in ms. Default 10,000. */
  readonly timeoutMs?: number;
  /** For requests to providers. Default: the global fetch. */
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

/** What disconnect() did. */
export interface Disconnected {
  /** A connection existed and is deleted. */
  readonly removed: boolean;
  /** The provider confirmed revoking its refresh token (RFC 7009). False when it has no revocation endpoint, or with `force` when it could not be reached. */
  readonly revoked: boolean;
}

/**
 * The identity layer's hold on users' downstream OAuth tokens: it connects
 * users to providers (authorization code + PKCE), keeps their refresh tokens
 * sealed, and gives a tool the user's access token only inside a call the
 * guard allowed, narrowed to the scopes the call's action maps to.
 */
export class CredentialBroker {
  readonly #store: CredentialStore;
  readonly #keyring: CredentialKeyring;
  readonly #ledger: CredentialLedger;
  readonly #providers: ReadonlyMap<string, OAuthProvider>;
  readonly #connect: ConnectFlow;
  readonly #tokens: AccessTokens;

  /** @internal use createCredentialBroker() */
  constructor(options: CredentialBrokerOptions) {
    if (options === null || typeof options !== "object")
      throw new TypeError("createCredentialBroker needs its options.");
    if (options.store === null || typeof options.store !== "object") {
      throw new TypeError(
        "createCredentialBroker needs { store }: store.credentials of a @writ/store store.",
      );
    }
    if (typeof options.ledger?.append !== "function") {
      throw new TypeError("createCredentialBroker needs { ledger }: the store (a Backend).");
    }
    if (!(options.keyring instanceof CredentialKeyring)) {
      throw new TypeError(
        "createCredentialBroker needs { keyring }: a CredentialKeyring, e.g. keyringFromEnvironment().",
      );
    }
    if (options.guard !== undefined && !(options.guard instanceof Guard))
      throw new TypeError("createCredentialBroker's guard must be a Guard from createGuard().");
    if (!Array.isArray(options.providers) || options.providers.length === 0)
      throw new TypeError("createCredentialBroker needs at least one provider.");
    const clock = options.clock ?? systemClock;
    const timeoutMs = positive(options.timeoutMs, 10_000, "timeoutMs");
    const transport = { fetch: options.fetch ?? fetch, timeoutMs };
    const providers = new Map<string, OAuthProvider>();
    for (const providerOptions of options.providers) {
      const provider = new OAuthProvider(providerOptions, transport);
      if (providers.has(provider.id))
        throw new TypeError(`Provider "${provider.id}" is configured twice.`);
      providers.set(provider.id, provider);
    }
    this.#store = options.store;
    this.#keyring = options.keyring;
    this.#ledger = new CredentialLedger(options.ledger, clock);
    this.#providers = providers;
    const provider = (id: string) => this.#provider(id);
    this.#connect = new ConnectFlow({
      store: this.#store,
      keyring: this.#keyring,
      ledger: this.#ledger,
      provider,
      clock,
      random: options.random ?? systemRandom,
      stateTtlMs: positive(options.connectTtlMs, 600_000, "connectTtlMs"),
    });
    this.#tokens = new AccessTokens({
      guard: options.guard,
      store: this.#store,
      keyring: this.#keyring,
      ledger: this.#ledger,
      provider,
      clock,
      maxCallAgeMs: positive(options.maxCallAgeMs, 120_000, "maxCallAgeMs"),
      minTokenLifetimeMs: positive(options.minTokenLifetimeMs, 30_000, "minTokenLifetimeMs"),
      // Longer than a refresh can take (it is aborted after timeoutMs), so a lease never expires under a live refresh.
      leaseMs: timeoutMs * 2 + 1000,
      pollMs: 20,
    });
  }

  /** The configured providers' ids. */
  get providers(): readonly string[] {
    return [...this.#providers.keys()];
  }

  /**
   * The user's access token at `provider` for a call the guard allowed and
   * that is still running: `decision` is what guard.run() passes to the tool
   * (or guard.authorize() returned). The token carries exactly the scopes the
   * call's action maps to. Refused with a WritError: `credential.outside_call`
   * (a deny or approval decision, or a call that ended or is unknown),
   * `credential.call_expired`, the live-state code of a revoked user or agent
   * (`revoked.*`, `live.*`), `credential.no_scopes`,
   * `credential.not_connected`, `credential.scope_not_granted`,
   * `credential.broken` (the user must connect again),
   * `credential.provider_unavailable`, `credential.provider_error`,
   * `ledger.unavailable`. An unknown provider id is a TypeError.
   */
  getAccessToken(decision: AllowDecision, provider: string): Promise<ProviderAccessToken> {
    return this.#tokens.forCall(decision, provider);
  }

  /**
   * The user's access token for a call that a guard in another process
   * allowed and that the caller has verified itself as allowed, still
   * running and live (the Writ server does, from its ledger and live state,
   * for `remoteCredentials()` of @writ/client). The broker checks the call's
   * age against `maxCallAgeMs`; everything else is as for getAccessToken().
   */
  getAccessTokenForVerifiedCall(call: AllowedCall, provider: string): Promise<ProviderAccessToken> {
    return this.#tokens.forVerifiedCall(call, provider);
  }

  /** Starts connecting a user: returns the provider's authorization URL to send the user's browser to. */
  startConnect(input: StartConnectInput): Promise<StartedConnect> {
    return this.#connect.start(input);
  }

  /**
   * Finishes connecting from the provider's callback, for the user your
   * application has signed in: checks the single-use state, exchanges the
   * code with the PKCE verifier, and stores the connection (replacing an
   * earlier one). `credential.state_invalid`, `credential.connect_denied`,
   * `credential.provider_error`, `credential.provider_unavailable`.
   */
  completeConnect(input: CompleteConnectInput): Promise<ConnectionInfo> {
    return this.#connect.complete(input);
  }

  /** The user's connections, active and broken. */
  async listConnections(user: string): Promise<ConnectionInfo[]> {
    if (!isPrincipalId(user)) throw new TypeError("listConnections needs a valid user id.");
    return (await this.#store.listConnections(user)).map(connectionInfo);
  }

  /**
   * Revokes the connection's tokens at the provider (RFC 7009), then deletes
   * it. If the provider cannot be reached the connection is kept and the
   * error thrown, unless `force`, which deletes it anyway (`revoked: false`).
   */
  async disconnect(input: {
    readonly user: string;
    readonly provider: string;
    readonly force?: boolean;
  }): Promise<Disconnected> {
    if (!isPrincipalId(input?.user)) throw new TypeError("disconnect needs a valid user id.");
    const provider = this.#provider(input.provider);
    const connection = await this.#store.getConnection(input.user, provider.id);
    if (connection === undefined) return { removed: false, revoked: false };
    let revoked = false;
    try {
      if (connection.refreshToken !== undefined) {
        const refreshToken = this.#keyring.open(
          connection.refreshToken,
          sealContext({ kind: "refresh_token", connectionId: connection.id }),
        );
        revoked = await provider.revoke(refreshToken, "refresh_token");
      }
    } catch (error) {
      if (input.force !== true) throw providerFailure(error, provider.id, "revocation");
    }
    // Only a provider that just answered is asked about access tokens too.
    if (revoked) {
      for (const token of await this.#store.listAccessTokens(connection.id)) {
        await this.#revokeAccessToken(provider, token);
      }
    }
    await this.#store.deleteConnection(connection.id);
    await this.#ledger.disconnected(connection, revoked);
    return { removed: true, revoked };
  }

  /**
   * Re-wraps every sealed value not under the active key-encryption key
   * (only the 32-byte data keys are re-encrypted). Run it after making a new
   * key active, before removing the old one. Returns how many were re-wrapped.
   */
  async rewrap(options: { readonly batchSize?: number } = {}): Promise<{ readonly count: number }> {
    const batchSize = positive(options.batchSize, 100, "batchSize");
    const active = this.#keyring.activeKeyId;
    let count = 0;
    for (;;) {
      const batch = await this.#store.sealedNotUnder(active, batchSize);
      let changed = 0;
      for (const { field, value } of batch) {
        if (await this.#store.replaceSealed(field, value.ciphertext, this.#keyring.rewrap(value)))
          changed++;
      }
      count += changed;
      // A value changed meanwhile was rewritten under the active key; an empty or idle batch ends it.
      if (batch.length < batchSize || changed === 0) break;
    }
    await this.#ledger.rewrapped(active, count);
    return { count };
  }

  /**
   * RFC 7009 lets a provider keep access tokens alive when their refresh
   * token is revoked, and many cannot revoke self-contained (JWT) ones at all
   * (unsupported_token_type). Asking is a courtesy that never blocks a
   * disconnect: these tokens expire soon anyway.
   */
  async #revokeAccessToken(provider: OAuthProvider, token: StoredAccessToken): Promise<void> {
    try {
      const value = this.#keyring.open(
        token.token,
        sealContext({
          kind: "access_token",
          connectionId: token.connectionId,
          scopeKey: token.scopeKey,
        }),
      );
      await provider.revoke(value, "access_token");
    } catch {
      // See above: the refresh token's revocation is what the disconnect reports.
    }
  }

  #provider(id: string): OAuthProvider {
    const provider = typeof id === "string" ? this.#providers.get(id) : undefined;
    if (provider === undefined) {
      throw new TypeError(
        `Unknown provider ${JSON.stringify(id)}: the broker is configured for ${[...this.#providers.keys()].join(", ")}.`,
      );
    }
    return provider;
  }
}

/** Checks the options once and returns the broker. */
export function createCredentialBroker(options: CredentialBrokerOptions): CredentialBroker {
  return new CredentialBroker(options);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}.`);
  }
  return value;
}
