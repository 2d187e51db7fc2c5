import { createHash, randomBytes } from "node:crypto";
import { type Grant, WritError } from "@writ/core";
import { type OAuthFamilyRecord, type OAuthStateStore, signCompactJws } from "@writ/core/backend";
import type { WritStore } from "../writ-store.js";
import type { ClientWrits } from "./client-writs.js";
import type { OAuthResource } from "./oauth-options.js";

/** What a token response carries (RFC 6749 §5.1). */
export interface OAuthTokenResponse {
  readonly access_token: string;
  /** DPoP when the access token is bound to the client's key (RFC 9449), Bearer otherwise. */
  readonly token_type: "Bearer" | "DPoP";
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly scope: string;
}

/** What a consent's tokens carry: the chain their writs run through. */
interface Consent {
  readonly clientId: string;
  readonly resource: OAuthResource;
  readonly user: string;
  readonly agent: string;
  readonly grants: readonly Grant[];
}

/**
 * Access and refresh tokens for stock MCP clients. An access token is an RFC
 * 9068 JWT signed with the server's issuer key: `aud` is the gateway
 * (RFC 8707), and it carries the writ it stands for (ClientWrits): user ∩
 * the client's policy ∩ what was consented, usable only by the gateway, as
 * short-lived as the token. Refresh tokens rotate: each use
 * returns a new one, and presenting a rotated one again revokes the whole
 * family (every writ it issued, through live state) as RFC 9700 §4.14 asks.
 * Families live in the store (refresh tokens as hashes): rotation is one
 * conditional update, so when two instances are handed the same refresh
 * token one wins and the other sees a reuse.
 */
export class OAuthTokens {
  readonly #store: WritStore;
  readonly #state: OAuthStateStore;
  readonly #writs: ClientWrits;
  readonly #issuer: string;
  readonly #resources: ReadonlyMap<string, OAuthResource>;
  readonly #accessTtl: number;
  readonly #refreshTtlMs: number;
  readonly #clock: () => number;

  constructor(options: {
    readonly store: WritStore;
    readonly writs: ClientWrits;
    readonly issuer: string;
    readonly resources: ReadonlyMap<string, OAuthResource>;
    readonly accessTtl: number;
    readonly refreshTtl: number;
    readonly clock: () => number;
  }) {
    this.#store = options.store;
    this.#state = options.store.oauthState;
    this.#writs = options.writs;
    this.#issuer = options.issuer;
    this.#resources = options.resources;
    this.#accessTtl = options.accessTtl;
    this.#refreshTtlMs = options.refreshTtl * 1000;
    this.#clock = options.clock;
  }

  /** A new family id, reserved before its code is redeemed (so a replayed code can name it). */
  newFamilyId(): string {
    return randomBytes(16).toString("base64url");
  }

  /** The first tokens of a consent; bound to `dpopJkt`, the key of the request's DPoP proof, when it had one. */
  async issue(
    familyId: string,
    consent: Consent,
    dpopJkt: string | undefined,
  ): Promise<OAuthTokenResponse> {
    const refreshToken = newRefreshToken();
    const { resource, ...rest } = consent;
    const started = await this.#state.createOAuthFamily({
      id: familyId,
      clientId: consent.clientId,
      data: JSON.stringify({ ...rest, resource: resource.resource }),
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
      currentHash: hashOf(refreshToken),
      expiresAt: this.#clock() + this.#refreshTtlMs,
    });
    if (!started) throw codeReused();
    return this.#tokens(familyId, consent, refreshToken, dpopJkt);
  }

  /**
   * New tokens for a refresh token, which is then spent. A DPoP-bound
   * family's refresh token is refused without a proof by its key (`dpopJkt`):
   * a stolen one is of no use without the client's private key.
   */
  async refresh(
    refreshToken: string,
    clientId: string,
    dpopJkt: string | undefined,
  ): Promise<OAuthTokenResponse> {
    const hash = hashOf(refreshToken);
    const family = await this.#state.findOAuthFamily(hash);
    if (!family || family.revokedAt !== undefined || family.expiresAt <= this.#clock()) {
      throw new WritError("oauth.invalid_grant", "The refresh token is not valid; sign in again.");
    }
    if (family.clientId !== clientId) {
      throw new WritError("oauth.invalid_grant", "The refresh token was issued to another client.");
    }
    if (family.dpopJkt !== undefined && dpopJkt === undefined) {
      throw new WritError(
        "dpop.missing",
        "This refresh token is bound to a DPoP key: send a DPoP proof signed with it.",
      );
    }
    if (family.dpopJkt !== undefined && dpopJkt !== family.dpopJkt) {
      throw new WritError(
        "dpop.key_mismatch",
        "This refresh token is bound to another DPoP key than the proof's.",
      );
    }
    const next = newRefreshToken();
    if (
      family.currentHash !== hash ||
      !(await this.#state.rotateOAuthRefreshToken(family.id, hash, hashOf(next)))
    ) {
      // A rotated token presented again (here or at another instance at the
      // same time): it was stolen, or the client was. End the family.
      await this.revokeFamily(family.id, "refresh token reused");
      throw new WritError(
        "oauth.invalid_grant",
        "This refresh token was already used; every token of its consent is revoked. Sign in again.",
      );
    }
    return this.#tokens(family.id, this.#consentOf(family), next, dpopJkt);
  }

  /** Revokes a consent: its refresh tokens, and every writ its access tokens refer to. */
  async revokeFamily(id: string, reason: string): Promise<void> {
    const { clientId, writs } = await this.#state.revokeOAuthFamily(id, this.#clock());
    // Revoking a hop is idempotent: a family revoked twice revokes nothing new.
    for (const jti of writs) {
      await this.#store.revoke({ kind: "hop", id: jti, reason, by: `oauth:${clientId}` });
    }
  }

  /** RFC 7009: revokes the consent a refresh token of this client belongs to; unknown tokens are ignored. */
  async revokeRefreshToken(token: string, clientId: string | undefined): Promise<void> {
    const family = await this.#state.findOAuthFamily(hashOf(token));
    if (family && (clientId === undefined || family.clientId === clientId)) {
      await this.revokeFamily(family.id, "revoked by the client");
    }
  }

  /** RFC 7009 for an access token: the consent whose writ it refers to. */
  async revokeAccessToken(writJti: string): Promise<void> {
    const family = await this.#state.findOAuthFamilyByWrit(writJti);
    if (family !== undefined) await this.revokeFamily(family, "revoked by the client");
  }

  #consentOf(family: OAuthFamilyRecord): Consent {
    const data = JSON.parse(family.data) as Omit<Consent, "resource"> & { resource: string };
    const resource = this.#resources.get(data.resource);
    if (!resource) {
      // The gateway is no longer configured here: its tokens cannot be refreshed.
      throw new WritError(
        "oauth.invalid_grant",
        "The refresh token is for a resource this server no longer serves.",
      );
    }
    return { ...data, resource };
  }

  async #tokens(
    familyId: string,
    consent: Consent,
    refreshToken: string,
    dpopJkt: string | undefined,
  ): Promise<OAuthTokenResponse> {
    // Issued now against the user's current permissions and the agent's current policy.
    const writ = await this.#writs.issue(consent, this.#accessTtl);
    const jti = writ.root.claims.jti;
    if (!(await this.#state.addOAuthFamilyWrit(familyId, jti))) {
      // The family was revoked meanwhile (a replayed code or refresh token at another instance).
      await this.#store.revoke({ kind: "hop", id: jti, reason: "consent revoked", by: "oauth" });
      throw codeReused();
    }
    const keys = await this.#store.issuerKeys();
    const { kid, key } = keys.active;
    const now = Math.floor(this.#clock() / 1000);
    const exp = Math.floor(writ.expiresAt.getTime() / 1000);
    const scope = writ.grants.map((grant) => grant.action).join(" ");
    const accessToken = signCompactJws(
      { alg: "EdDSA", typ: "at+jwt", kid },
      {
        iss: this.#issuer,
        sub: consent.user,
        aud: consent.resource.resource,
        client_id: consent.clientId,
        scope,
        iat: now,
        exp,
        jti,
        writ: writ.toString(),
        ...(dpopJkt === undefined ? {} : { cnf: { jkt: dpopJkt } }),
      },
      key,
    );
    return {
      access_token: accessToken,
      token_type: dpopJkt === undefined ? "Bearer" : "DPoP",
      expires_in: Math.max(1, exp - now),
      refresh_token: refreshToken,
      scope,
    };
  }
}

function codeReused(): WritError {
  return new WritError(
    "oauth.invalid_grant",
    "This grant was used twice; every token of its consent is revoked. Sign in again.",
  );
}

function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
