import { createHash, randomBytes } from "node:crypto";
import { type Grant, WritError } from "@writ/core";
import { signCompactJws } from "@writ/core/backend";
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

/** A consent's tokens: one refresh token at a time, every writ issued under it. */
interface TokenFamily {
  readonly id: string;
  readonly clientId: string;
  readonly resource: OAuthResource;
  readonly user: string;
  readonly agent: string;
  readonly grants: readonly Grant[];
  readonly expiresAt: number;
  /**
   * RFC 9449: the thumbprint of the key the client proved at the code's
   * redemption; its refresh tokens are then usable only with a proof by that key.
   */
  readonly dpopJkt: string | undefined;
  /** The hash of the refresh token that is valid now. */
  current: string;
  /** Root hop ids of the writs issued, for revoking them all at once. */
  readonly writs: string[];
  revoked: boolean;
}

/**
 * Access and refresh tokens for stock MCP clients. An access token is an RFC
 * 9068 JWT signed with the server's issuer key: `aud` is the gateway
 * (RFC 8707), and it carries the writ it stands for (ClientWrits): user ∩
 * the client's policy ∩ what was consented, usable only by the gateway, as
 * short-lived as the token. Refresh tokens rotate: each use
 * returns a new one, and presenting a rotated one again revokes the whole
 * family (every writ it issued, through live state) as RFC 9700 §4.14 asks.
 */
export class OAuthTokens {
  readonly #store: WritStore;
  readonly #writs: ClientWrits;
  readonly #issuer: string;
  readonly #accessTtl: number;
  readonly #refreshTtlMs: number;
  readonly #clock: () => number;
  readonly #families = new Map<string, TokenFamily>();
  /** Refresh token hashes, current and rotated, to their family. */
  readonly #refreshTokens = new Map<string, string>();

  constructor(options: {
    readonly store: WritStore;
    readonly writs: ClientWrits;
    readonly issuer: string;
    readonly accessTtl: number;
    readonly refreshTtl: number;
    readonly clock: () => number;
  }) {
    this.#store = options.store;
    this.#writs = options.writs;
    this.#issuer = options.issuer;
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
    consent: {
      readonly clientId: string;
      readonly resource: OAuthResource;
      readonly user: string;
      readonly agent: string;
      readonly grants: readonly Grant[];
    },
    dpopJkt: string | undefined,
  ): Promise<OAuthTokenResponse> {
    const family: TokenFamily = {
      id: familyId,
      ...consent,
      expiresAt: this.#clock() + this.#refreshTtlMs,
      dpopJkt,
      current: "",
      writs: [],
      revoked: false,
    };
    this.#families.set(family.id, family);
    return this.#tokens(family, dpopJkt);
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
    const family = this.#families.get(this.#refreshTokens.get(hash) ?? "");
    if (!family || family.revoked || family.expiresAt <= this.#clock()) {
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
    if (family.current !== hash) {
      // A rotated token presented again: it was stolen, or the client was. End the family.
      await this.revokeFamily(family.id, "refresh token reused");
      throw new WritError(
        "oauth.invalid_grant",
        "This refresh token was already used; every token of its consent is revoked. Sign in again.",
      );
    }
    return this.#tokens(family, dpopJkt);
  }

  /** Revokes a consent: its refresh tokens, and every writ its access tokens refer to. */
  async revokeFamily(id: string, reason: string): Promise<void> {
    const family = this.#families.get(id);
    if (!family || family.revoked) return;
    family.revoked = true;
    for (const jti of family.writs) {
      await this.#store.revoke({ kind: "hop", id: jti, reason, by: `oauth:${family.clientId}` });
    }
  }

  /** RFC 7009: revokes the consent a refresh token of this client belongs to; unknown tokens are ignored. */
  async revokeRefreshToken(token: string, clientId: string | undefined): Promise<void> {
    const family = this.#families.get(this.#refreshTokens.get(hashOf(token)) ?? "");
    if (family && (clientId === undefined || family.clientId === clientId)) {
      await this.revokeFamily(family.id, "revoked by the client");
    }
  }

  /** RFC 7009 for an access token: the consent whose writ it refers to. */
  async revokeAccessToken(writJti: string): Promise<void> {
    for (const family of this.#families.values()) {
      if (family.writs.includes(writJti))
        await this.revokeFamily(family.id, "revoked by the client");
    }
  }

  async #tokens(family: TokenFamily, dpopJkt: string | undefined): Promise<OAuthTokenResponse> {
    // Issued now against the user's current permissions and the agent's current policy.
    const writ = await this.#writs.issue(family, this.#accessTtl);
    const jti = writ.root.claims.jti;
    family.writs.push(jti);
    const refreshToken = randomBytes(32).toString("base64url");
    family.current = hashOf(refreshToken);
    this.#refreshTokens.set(family.current, family.id);
    const keys = await this.#store.issuerKeys();
    const { kid, key } = keys.active;
    const now = Math.floor(this.#clock() / 1000);
    const exp = Math.floor(writ.expiresAt.getTime() / 1000);
    const scope = writ.grants.map((grant) => grant.action).join(" ");
    const accessToken = signCompactJws(
      { alg: "EdDSA", typ: "at+jwt", kid },
      {
        iss: this.#issuer,
        sub: family.user,
        aud: family.resource.resource,
        client_id: family.clientId,
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

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
