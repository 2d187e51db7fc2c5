/**
 * The state of the Writ server's OAuth authorization server (for stock MCP
 * clients), kept in the store so that every server instance on it serves the
 * same clients and a restart keeps them: registrations, authorization
 * requests in flight, codes and refresh-token families. Codes and refresh
 * tokens are stored as hashes only. What a record's `data` holds is the
 * server's (JSON text); the store keeps it as is.
 */
export interface OAuthStateStore {
  /** Stores a registered client (RFC 7591) by its id. */
  putOAuthClient(client: OAuthClientRecord): Promise<void>;
  getOAuthClient(clientId: string): Promise<OAuthClientRecord | undefined>;
  /** How many clients are registered. */
  countOAuthClients(): Promise<number>;

  /** Opens an authorization request; forgets the expired ones. */
  openOAuthRequest(request: OAuthRequestRecord): Promise<void>;
  /** The request, while open and unexpired at `now`. */
  getOAuthRequest(id: string, now: number): Promise<OAuthRequestRecord | undefined>;
  /** Records who signed in for an open request. */
  setOAuthRequestUser(id: string, user: string): Promise<void>;
  /** Ends a request; true only for the one call that ended it (a consent is answered once). */
  closeOAuthRequest(id: string): Promise<boolean>;

  /** Stores an authorization code by its hash. */
  putOAuthCode(code: OAuthCodeRecord): Promise<void>;
  /**
   * Redeems a code once, atomically across every instance: its approval; or
   * `replayedFamily`, the token family of its first redemption, when it was
   * redeemed before (and has not expired); or undefined when unknown or expired.
   */
  redeemOAuthCode(
    codeHash: string,
    familyId: string,
    now: number,
  ): Promise<{ readonly data: string } | { readonly replayedFamily: string } | undefined>;

  /**
   * Starts a refresh-token family with its first refresh token's hash; false
   * when the family was revoked before it started (its code was replayed
   * while it was being redeemed).
   */
  createOAuthFamily(family: OAuthFamilyRecord): Promise<boolean>;
  /** The family a refresh token (current or rotated) belongs to. */
  findOAuthFamily(refreshHash: string): Promise<OAuthFamilyRecord | undefined>;
  /**
   * Replaces the family's current refresh token `from` by `to`, atomically:
   * false when `from` is no longer current or the family is revoked (another
   * request rotated it first: a reuse).
   */
  rotateOAuthRefreshToken(familyId: string, from: string, to: string): Promise<boolean>;
  /**
   * Records a writ (its root hop's jti) issued under the family; false when
   * the family is revoked (then the writ must be revoked too). A revocation
   * running at the same time either lists the writ or is seen here.
   */
  addOAuthFamilyWrit(familyId: string, jti: string): Promise<boolean>;
  /**
   * Marks the family revoked, or a family id not yet started (so it never
   * starts); returns its client and every writ issued under it, to revoke them.
   */
  revokeOAuthFamily(
    familyId: string,
    now: number,
  ): Promise<{ readonly clientId: string; readonly writs: readonly string[] }>;
  /** The family a writ was issued under. */
  findOAuthFamilyByWrit(jti: string): Promise<string | undefined>;
}

export interface OAuthClientRecord {
  readonly clientId: string;
  /** The client's metadata as registered (JSON). */
  readonly data: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface OAuthRequestRecord {
  readonly id: string;
  /** The hash of the secret in the browser's cookie. */
  readonly browserHash: string;
  /** The request's parameters (JSON). */
  readonly data: string;
  /** Who signed in, once someone has. */
  readonly user?: string;
  readonly expiresAt: number;
}

export interface OAuthCodeRecord {
  readonly codeHash: string;
  /** What the consent approved (JSON). */
  readonly data: string;
  readonly expiresAt: number;
}

export interface OAuthFamilyRecord {
  readonly id: string;
  readonly clientId: string;
  /** The consent the family's tokens carry (JSON). */
  readonly data: string;
  /** RFC 9449: the thumbprint of the key its refresh tokens are bound to. */
  readonly dpopJkt?: string;
  /** The hash of the refresh token valid now. */
  readonly currentHash: string;
  readonly expiresAt: number;
  /** When it was revoked; absent while it is not. */
  readonly revokedAt?: number;
}
