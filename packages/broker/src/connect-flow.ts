import { type Clock, type RandomSource, WritError } from "@writ/core";
import { type CredentialStore, isPrincipalId, sha256Base64Url, uuidV7 } from "@writ/core/backend";
import {
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomState,
} from "oauth4webapi";
import { type ConnectionInfo, connectionInfo } from "./connection-info.js";
import type { CredentialKeyring } from "./credential-keyring.js";
import type { CredentialLedger } from "./credential-ledger.js";
import type { OAuthProvider } from "./oauth-provider.js";
import { normalizeScopes } from "./scope-translation.js";
import { sealContext } from "./seal-context.js";

/** What startConnect() needs: whose connection, to which provider, and optionally for which actions. */
export interface StartConnectInput {
  readonly user: string;
  readonly tenant?: string;
  readonly provider: string;
  /** Ask only for the scopes these actions map to. Default: every scope of the provider's table. */
  readonly actions?: readonly string[];
}

export interface StartedConnect {
  /** Send the user's browser here. */
  readonly authorizationUrl: string;
  /** The single-use state inside that URL, in case your callback wants to match it to its session. */
  readonly state: string;
  /** Epoch ms: the callback must come before this. */
  readonly expiresAt: number;
}

export interface CompleteConnectInput {
  readonly provider: string;
  /** What the provider redirected to: the full callback URL, its query string, or its parameters. */
  readonly callback: string | URL | URLSearchParams;
  /**
   * The user your application has signed in on the browser that came back.
   * The flow must have been started for this user, so a link started by
   * someone else cannot attach their victim's provider account to them.
   */
  readonly user: string;
}

interface ConnectFlowOptions {
  readonly store: CredentialStore;
  readonly keyring: CredentialKeyring;
  readonly ledger: CredentialLedger;
  readonly provider: (id: string) => OAuthProvider;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly stateTtlMs: number;
}

/**
 * The authorization code flow with PKCE that connects a user to a provider.
 * The state is random, stored only as its hash, bound to the user and
 * provider, and good once before it expires; the PKCE verifier stays
 * server-side, sealed. The callback is completed for the user the
 * application has signed in, and the resulting refresh token is sealed at
 * once; the code exchange's own access token is not kept, since every token
 * a call gets is minted for its action's scopes.
 */
export class ConnectFlow {
  readonly #options: ConnectFlowOptions;

  constructor(options: ConnectFlowOptions) {
    this.#options = options;
  }

  async start(input: StartConnectInput): Promise<StartedConnect> {
    const { store, keyring, clock, stateTtlMs } = this.#options;
    checkUser(input?.user, "startConnect");
    if (input.tenant !== undefined && !isPrincipalId(input.tenant))
      throw new TypeError("startConnect: tenant is not a valid id.");
    const provider = this.#options.provider(input.provider);
    const scopes = normalizeScopes([
      ...provider.connectScopes,
      ...(input.actions === undefined
        ? provider.scopes.allScopes
        : scopesOfActions(provider, input.actions)),
    ]);
    const state = generateRandomState();
    const verifier = generateRandomCodeVerifier();
    const url = await provider.authorizationUrl({
      state,
      codeChallenge: await calculatePKCECodeChallenge(verifier),
      scopes,
    });
    const stateHash = sha256Base64Url(state);
    const now = clock();
    const expiresAt = now + stateTtlMs;
    await store.savePending({
      stateHash,
      provider: provider.id,
      user: input.user,
      ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
      scopes,
      verifier: keyring.seal(verifier, sealContext({ kind: "code_verifier", stateHash })),
      createdAt: now,
      expiresAt,
    });
    return { authorizationUrl: url.href, state, expiresAt };
  }

  async complete(input: CompleteConnectInput): Promise<ConnectionInfo> {
    const { store, keyring, ledger, clock, random } = this.#options;
    checkUser(input?.user, "completeConnect");
    const provider = this.#options.provider(input.provider);
    const parameters = callbackParameters(input.callback);
    const state = parameters.get("state");
    if (state === null || state.length === 0 || state.length > 512) throw stateInvalid();
    const stateHash = sha256Base64Url(state);
    // Taken before anything else: whatever happens next, this state never works again.
    const pending = await store.takePending(stateHash);
    if (
      pending === undefined ||
      pending.provider !== provider.id ||
      pending.user !== input.user ||
      pending.expiresAt < clock()
    ) {
      throw stateInvalid();
    }
    const verifier = keyring.open(
      pending.verifier,
      sealContext({ kind: "code_verifier", stateHash }),
    );
    const tokens = await provider.exchangeCode(parameters, state, verifier);
    if (tokens.token_type !== "bearer") {
      throw new WritError(
        "credential.provider_error",
        `Provider "${provider.id}" issued a ${tokens.token_type} token; the broker handles bearer tokens only.`,
        { name: provider.id },
      );
    }
    if (tokens.refresh_token === undefined) {
      throw new WritError(
        "credential.provider_error",
        `Provider "${provider.id}" issued no refresh token, so the broker cannot mint tokens per call: ask for offline access (connectScopes such as "offline_access", or authorizationParameters such as access_type=offline).`,
        { name: provider.id },
      );
    }
    const scopes =
      typeof tokens.scope === "string" && tokens.scope.length > 0
        ? normalizeScopes(tokens.scope.split(" ").filter((scope) => scope.length > 0))
        : pending.scopes;
    const id = uuidV7(clock, random);
    const now = clock();
    const connection = {
      id,
      user: pending.user,
      ...(pending.tenant === undefined ? {} : { tenant: pending.tenant }),
      provider: provider.id,
      status: "active" as const,
      scopes,
      refreshToken: keyring.seal(
        tokens.refresh_token,
        sealContext({ kind: "refresh_token", connectionId: id }),
      ),
      version: 0,
      createdAt: now,
      updatedAt: now,
    };
    await store.putConnection(connection);
    await ledger.connected(connection, scopes);
    return connectionInfo(connection);
  }
}

function scopesOfActions(provider: OAuthProvider, actions: readonly string[]): string[] {
  if (!Array.isArray(actions) || actions.length === 0)
    throw new TypeError("startConnect: actions, when given, is a non-empty list of actions.");
  return actions.flatMap((action) => {
    const scopes = provider.scopes.scopesFor(action);
    if (scopes === undefined || scopes.length === 0) {
      throw new WritError(
        "credential.no_scopes",
        `Provider "${provider.id}" maps no scopes to ${action}: nothing to connect for it.`,
        { name: provider.id, action },
      );
    }
    return scopes;
  });
}

function callbackParameters(callback: string | URL | URLSearchParams): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  if (typeof callback !== "string")
    throw new TypeError("completeConnect: callback is the URL, query string or parameters.");
  const query = callback.includes("?") ? callback.slice(callback.indexOf("?") + 1) : callback;
  return new URLSearchParams(query.split("#")[0]);
}

function checkUser(user: unknown, method: string): asserts user is string {
  if (!isPrincipalId(user)) throw new TypeError(`${method}: user is not a valid user id.`);
}

function stateInvalid(): WritError {
  return new WritError(
    "credential.state_invalid",
    "This connect callback does not match a flow started for this user and provider (unknown, already used or expired): start connecting again.",
  );
}
