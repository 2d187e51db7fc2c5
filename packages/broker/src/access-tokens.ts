import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AllowDecision,
  type CallCheck,
  type Clock,
  type Guard,
  ProviderAccessToken,
  WritError,
} from "@writ/core";
import type {
  CredentialStore,
  SealedValue,
  StoredAccessToken,
  StoredConnection,
} from "@writ/core/backend";
import type { TokenEndpointResponse } from "oauth4webapi";
import type { CredentialKeyring } from "./credential-keyring.js";
import type { CredentialLedger } from "./credential-ledger.js";
import type { OAuthProvider } from "./oauth-provider.js";
import { normalizeScopes } from "./scope-translation.js";
import { sealContext } from "./seal-context.js";
import { SingleFlight } from "./single-flight.js";

export type AllowedCall = Extract<CallCheck, { readonly valid: true }>;

/** A connection that can be refreshed: active, with its sealed refresh token. */
type UsableConnection = StoredConnection & { readonly refreshToken: SealedValue };

interface AccessTokensOptions {
  readonly guard: Guard | undefined;
  readonly store: CredentialStore;
  readonly keyring: CredentialKeyring;
  readonly ledger: CredentialLedger;
  readonly provider: (id: string) => OAuthProvider;
  readonly clock: Clock;
  readonly maxCallAgeMs: number;
  readonly minTokenLifetimeMs: number;
  /** How long one process may hold a connection's refresh lease (longer than a refresh can take). */
  readonly leaseMs: number;
  /** How often a process waiting on another's refresh looks again. */
  readonly pollMs: number;
}

/** Lifetime assumed when a provider gives no `expires_in` (RFC 6749 makes it optional). */
const UNSTATED_LIFETIME_S = 60;

/**
 * Access tokens for allowed calls. A call gets a token only while the guard
 * that allowed it still counts it as running and its chain still passes live
 * state; the token carries exactly the scopes its action maps to, minted by
 * a refresh narrowed to them and reused until near its expiry. Refreshes of
 * one connection never overlap: in a process through a single flight, across
 * processes through a lease in the store. Every refresh is recorded in the
 * ledger before its token is handed out; `invalid_grant` marks the
 * connection broken.
 */
export class AccessTokens {
  readonly #options: AccessTokensOptions;
  readonly #flights = new SingleFlight();
  /** This process's name for refresh leases. */
  readonly #owner = randomUUID();

  constructor(options: AccessTokensOptions) {
    this.#options = options;
  }

  async forCall(decision: AllowDecision, providerId: string): Promise<ProviderAccessToken> {
    const { guard, maxCallAgeMs } = this.#options;
    if (guard === undefined) {
      throw new TypeError(
        "getAccessToken needs the broker's guard: createCredentialBroker({ guard, … }) with the guard that allows the calls.",
      );
    }
    const provider = this.#options.provider(providerId);
    const check = guard.checkCall(decision, { maxAgeMs: maxCallAgeMs });
    if (!check.valid) {
      throw new WritError(check.code, `No token from "${provider.id}": ${check.message}`, {
        name: provider.id,
      });
    }
    return this.#forAllowedCall(check, provider);
  }

  /**
   * For a call another process's guard allowed, which the caller verified
   * itself (the Writ server, from the ledger and its live state): only the
   * call's age is checked here, against the same bound.
   */
  async forVerifiedCall(check: AllowedCall, providerId: string): Promise<ProviderAccessToken> {
    const provider = this.#options.provider(providerId);
    if (this.#options.clock() - check.decidedAt > this.#options.maxCallAgeMs) {
      throw new WritError(
        "credential.call_expired",
        `No token from "${provider.id}": the call was allowed more than ${this.#options.maxCallAgeMs} ms ago; only a recent decision qualifies.`,
        { name: provider.id },
      );
    }
    return this.#forAllowedCall(check, provider);
  }

  async #forAllowedCall(check: AllowedCall, provider: OAuthProvider): Promise<ProviderAccessToken> {
    const mapped = provider.scopes.scopesFor(check.action);
    if (mapped === undefined || mapped.length === 0) {
      throw new WritError(
        "credential.no_scopes",
        `Provider "${provider.id}" maps no scopes to ${check.action}, so this call gets no token from it.`,
        { name: provider.id, action: check.action },
      );
    }
    const scopes = normalizeScopes(mapped);
    const scopeKey = scopes.join(" ");
    const connection = await this.#connection(check, provider);
    const cached = await this.#cached(connection, provider, scopeKey);
    if (cached !== undefined) return cached;
    return this.#flights.run(connection.id, scopeKey, () =>
      this.#refresh(check, provider, scopes, scopeKey),
    );
  }

  /** The user's usable connection to `provider` in the call's tenant, granting what the scopes need. */
  async #connection(check: AllowedCall, provider: OAuthProvider): Promise<UsableConnection> {
    const connection = await this.#options.store.getConnection(check.user, provider.id);
    if (connection === undefined || connection.tenant !== check.tenant) {
      throw new WritError(
        "credential.not_connected",
        `User "${check.user}" has not connected provider "${provider.id}": connect it first.`,
        { name: provider.id },
      );
    }
    const { refreshToken } = connection;
    if (connection.status === "broken" || refreshToken === undefined) {
      throw new WritError(
        "credential.broken",
        `User "${check.user}"'s connection to "${provider.id}" is broken (the provider no longer accepts it): the user must connect again.`,
        { name: provider.id },
      );
    }
    const needed = provider.scopes.scopesFor(check.action) ?? [];
    const missing = needed.filter((scope) => !connection.scopes.includes(scope));
    if (missing.length > 0) {
      throw new WritError(
        "credential.scope_not_granted",
        `User "${check.user}"'s connection to "${provider.id}" was not granted the scopes ${check.action} needs (${missing.join(" ")}): connect again for it.`,
        { name: provider.id, action: check.action, scopes: missing.join(" ") },
      );
    }
    return { ...connection, refreshToken };
  }

  /** The stored token for this scope set, if it lives long enough to be worth handing out. */
  async #cached(
    connection: StoredConnection,
    provider: OAuthProvider,
    scopeKey: string,
  ): Promise<ProviderAccessToken | undefined> {
    const stored = await this.#options.store.getAccessToken(connection.id, scopeKey);
    if (stored === undefined) return undefined;
    const lifetime = stored.expiresAt - stored.createdAt;
    const margin = Math.min(this.#options.minTokenLifetimeMs, lifetime / 2);
    if (stored.expiresAt - this.#options.clock() <= margin) return undefined;
    return this.#token(provider, stored);
  }

  async #refresh(
    check: AllowedCall,
    provider: OAuthProvider,
    scopes: readonly string[],
    scopeKey: string,
  ): Promise<ProviderAccessToken> {
    const { store, leaseMs, pollMs } = this.#options;
    const deadline = Date.now() + leaseMs;
    for (;;) {
      // Read again: the flight may have waited behind another refresh of this connection.
      const connection = await this.#connection(check, provider);
      const cached = await this.#cached(connection, provider, scopeKey);
      if (cached !== undefined) return cached;
      // Leases run on wall time: they bound real HTTP round trips between processes.
      if (await store.claimRefresh(connection.id, this.#owner, Date.now() + leaseMs, Date.now())) {
        try {
          return await this.#refreshOnce(check, provider, connection, scopes, scopeKey);
        } finally {
          // A lease that cannot be ended here expires on its own.
          await store.releaseRefresh(connection.id, this.#owner).catch(() => undefined);
        }
      }
      if (Date.now() > deadline) {
        throw new WritError(
          "credential.provider_unavailable",
          `Another process has been refreshing "${provider.id}" for this user for too long; try again later.`,
          { name: provider.id },
        );
      }
      await sleep(pollMs);
    }
  }

  async #refreshOnce(
    check: AllowedCall,
    provider: OAuthProvider,
    connection: UsableConnection,
    scopes: readonly string[],
    scopeKey: string,
  ): Promise<ProviderAccessToken> {
    const { store, keyring, ledger, clock } = this.#options;
    const refreshToken = keyring.open(
      connection.refreshToken,
      sealContext({ kind: "refresh_token", connectionId: connection.id }),
    );
    let response: TokenEndpointResponse;
    try {
      response = await provider.refresh(refreshToken, scopes);
      checkRefreshResponse(response, provider, scopes);
    } catch (error) {
      const failure =
        error instanceof WritError
          ? error
          : new WritError("credential.provider_error", `The refresh at "${provider.id}" failed.`, {
              name: provider.id,
            });
      if (failure.code === "credential.broken") {
        await store.markBroken(connection.id, clock(), failure.code);
      }
      // The refresh is refused either way; a ledger that cannot take its row changes nothing.
      await ledger.refreshed(check, connection, scopes, { failure }).catch(() => undefined);
      throw failure;
    }
    const now = clock();
    const rotated =
      response.refresh_token !== undefined && response.refresh_token !== refreshToken
        ? keyring.seal(
            response.refresh_token,
            sealContext({ kind: "refresh_token", connectionId: connection.id }),
          )
        : undefined;
    const accessToken: StoredAccessToken = {
      connectionId: connection.id,
      scopeKey,
      token: keyring.seal(
        response.access_token,
        sealContext({ kind: "access_token", connectionId: connection.id, scopeKey }),
      ),
      tokenType: response.token_type,
      createdAt: now,
      expiresAt: now + (response.expires_in ?? UNSTATED_LIFETIME_S) * 1000,
    };
    const recorded = await store.recordRefresh({
      connectionId: connection.id,
      version: connection.version,
      ...(rotated === undefined ? {} : { refreshToken: rotated }),
      accessToken,
      at: now,
    });
    if (!recorded) {
      throw new WritError(
        "credential.not_connected",
        `User "${check.user}"'s connection to "${provider.id}" changed while its token was refreshed (disconnected, connected again or broken): retry the call.`,
        { name: provider.id },
      );
    }
    try {
      await ledger.refreshed(check, connection, scopes, { rotated: rotated !== undefined });
    } catch (error) {
      // Fail closed: a token whose refresh is not in the ledger is not handed out, now or later.
      await store.deleteAccessToken(connection.id, scopeKey);
      throw new WritError(
        "ledger.unavailable",
        `The refresh at "${provider.id}" could not be recorded in the ledger, so its token is not handed out.`,
        { name: provider.id },
        error,
      );
    }
    return new ProviderAccessToken({
      provider: provider.id,
      value: response.access_token,
      tokenType: response.token_type,
      scopes,
      expiresAt: accessToken.expiresAt,
    });
  }

  #token(provider: OAuthProvider, stored: StoredAccessToken): ProviderAccessToken {
    return new ProviderAccessToken({
      provider: provider.id,
      value: this.#options.keyring.open(
        stored.token,
        sealContext({
          kind: "access_token",
          connectionId: stored.connectionId,
          scopeKey: stored.scopeKey,
        }),
      ),
      tokenType: stored.tokenType,
      scopes: stored.scopeKey.split(" "),
      expiresAt: stored.expiresAt,
    });
  }
}

/**
 * A call's token must be a bearer token with no scope beyond those asked for
 * (a response without `scope` has exactly them, RFC 6749 §5.1): a provider
 * that ignores the narrowing is refused rather than trusted.
 */
function checkRefreshResponse(
  response: TokenEndpointResponse,
  provider: OAuthProvider,
  scopes: readonly string[],
): void {
  if (response.token_type !== "bearer") {
    throw new WritError(
      "credential.provider_error",
      `Provider "${provider.id}" issued a ${response.token_type} token; the broker handles bearer tokens only.`,
      { name: provider.id },
    );
  }
  const granted = typeof response.scope === "string" ? response.scope.split(" ") : [...scopes];
  const extra = granted.filter((scope) => scope.length > 0 && !scopes.includes(scope));
  if (extra.length > 0) {
    throw new WritError(
      "credential.provider_error",
      `Provider "${provider.id}" returned a token with more scopes than the call needs (${extra.join(" ")}); the broker only hands out narrowed tokens.`,
      { name: provider.id, scopes: extra.join(" ") },
    );
  }
}
