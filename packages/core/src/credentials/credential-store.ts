/**
 * A value encrypted by the credential broker, with the id of the
 * key-encryption key it is sealed under. Stores keep it as text and never
 * see what it holds; the key id lets a re-wrap find what is sealed under a
 * retiring key.
 */
export interface SealedValue {
  readonly keyId: string;
  readonly ciphertext: string;
}

/** A user's OAuth connection to one provider, as stored. */
export interface StoredConnection {
  readonly id: string;
  readonly user: string;
  readonly tenant?: string;
  /** The provider's id in the broker's configuration. */
  readonly provider: string;
  /** `broken`: the provider refused the refresh token (`invalid_grant`); the user must connect again. */
  readonly status: "active" | "broken";
  /** The provider scopes the user granted. */
  readonly scopes: readonly string[];
  /** The refresh token, sealed. A broken connection holds none. */
  readonly refreshToken?: SealedValue;
  /** Increases with every change of the refresh token or status: refreshes are recorded only against the version they started from. */
  readonly version: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly refreshedAt?: number;
  readonly brokenAt?: number;
  /** Why it broke: an error code, never a token or a provider's free text. */
  readonly brokenReason?: string;
}

/** An access token minted for one set of provider scopes on a connection. */
export interface StoredAccessToken {
  readonly connectionId: string;
  /** Its scopes, sorted and joined by spaces: one token per scope set and connection. */
  readonly scopeKey: string;
  readonly token: SealedValue;
  /** The token type the provider gave, lowercased (`bearer`). */
  readonly tokenType: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** A connect flow between its authorization request and the provider's callback. */
export interface PendingConnection {
  /** base64url SHA-256 of the `state` value, which itself only travels in the authorization request. */
  readonly stateHash: string;
  readonly provider: string;
  readonly user: string;
  readonly tenant?: string;
  /** The scopes asked for. */
  readonly scopes: readonly string[];
  /** The PKCE code verifier, sealed. */
  readonly verifier: SealedValue;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Where a sealed value lives, for re-wrapping it under another key. */
export type SealedField =
  | { readonly kind: "refresh_token"; readonly connectionId: string }
  | { readonly kind: "access_token"; readonly connectionId: string; readonly scopeKey: string }
  | { readonly kind: "code_verifier"; readonly stateHash: string };

/** What recordRefresh() stores after a successful refresh. */
export interface RefreshRecord {
  readonly connectionId: string;
  /** The connection's version when the refresh started: nothing is stored if it moved since. */
  readonly version: number;
  /** The new refresh token when the provider rotated it. */
  readonly refreshToken?: SealedValue;
  readonly accessToken: StoredAccessToken;
  /** Epoch ms. */
  readonly at: number;
}

/**
 * What the credential broker (`@writ/broker`) keeps: users' connections to
 * OAuth providers, the access tokens minted per scope set, and connect flows
 * in progress. Every token value arrives sealed, so a store (SQLite,
 * Postgres, or a remote one over HTTP) holds ciphertext only. `@writ/store`
 * implements it as `store.credentials`.
 */
export interface CredentialStore {
  /** Keeps a connect flow until its callback (and forgets flows that expired before `pending.createdAt`). */
  savePending(pending: PendingConnection): Promise<void>;
  /** Removes and returns a connect flow: each state is good once. Undefined when unknown or already taken. */
  takePending(stateHash: string): Promise<PendingConnection | undefined>;
  /** Stores a new connection for (user, provider), replacing an earlier one and its access tokens. */
  putConnection(connection: StoredConnection): Promise<void>;
  getConnection(user: string, provider: string): Promise<StoredConnection | undefined>;
  listConnections(user: string): Promise<StoredConnection[]>;
  /** Deletes a connection and its access tokens. */
  deleteConnection(id: string): Promise<boolean>;
  /** Marks a connection broken: drops its refresh token and access tokens, bumps its version, ends any lease. */
  markBroken(id: string, at: number, reason: string): Promise<void>;
  getAccessToken(connectionId: string, scopeKey: string): Promise<StoredAccessToken | undefined>;
  listAccessTokens(connectionId: string): Promise<StoredAccessToken[]>;
  /** Forgets one access token (one that could not be accounted for in the ledger). */
  deleteAccessToken(connectionId: string, scopeKey: string): Promise<void>;
  /**
   * Takes the connection's refresh lease for `owner` until `until` (epoch
   * ms), if no other owner holds an unexpired one: one refresh at a time per
   * connection across processes, since a rotated refresh token works once.
   */
  claimRefresh(connectionId: string, owner: string, until: number, now: number): Promise<boolean>;
  /** Ends `owner`'s lease without recording anything (the refresh failed). */
  releaseRefresh(connectionId: string, owner: string): Promise<void>;
  /**
   * Stores a refresh's result atomically (the rotated refresh token, the new
   * access token, the version bumped, the lease ended), only if the
   * connection is still at `record.version`. Returns whether it did.
   */
  recordRefresh(record: RefreshRecord): Promise<boolean>;
  /** Up to `limit` sealed values under any key but `keyId`. */
  sealedNotUnder(
    keyId: string,
    limit: number,
  ): Promise<{ readonly field: SealedField; readonly value: SealedValue }[]>;
  /** Replaces a sealed value if it still holds `from` (the ciphertext read before). */
  replaceSealed(field: SealedField, from: string, to: SealedValue): Promise<boolean>;
}
