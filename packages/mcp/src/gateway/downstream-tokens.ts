import { randomUUID } from "node:crypto";
import type { Clock, JsonWebKeySet, KeyPair } from "@writ/core";
import { signCompactJws } from "@writ/core/backend";

/** The RFC 8693 `act` claim: the current actor, with the actors before it nested inside. */
export interface ActorClaim {
  readonly sub: string;
  readonly act?: ActorClaim;
}

/** Who a call runs for, as the guard established it. */
export interface DownstreamSubject {
  readonly user: string;
  readonly tenant?: string;
  /** Agent ids root→leaf. */
  readonly chain: readonly string[];
  readonly action: string;
  readonly callId: string;
}

/**
 * Mints the short-lived JWTs the gateway sends to HTTP upstreams in place of
 * the caller's writ (which never leaves the gateway): RFC 9068 access tokens
 * signed with the gateway's Ed25519 key, verifiable through its JWKS. Signing
 * is synchronous node:crypto, as core signs writs: one is minted per call, on
 * its critical path (the tests verify the tokens with jose).
 */
export class DownstreamTokens {
  readonly issuer: string;
  readonly clientId: string;
  readonly #key: KeyPair;
  readonly #header: { readonly alg: "EdDSA"; readonly typ: "at+jwt"; readonly kid: string };
  readonly #ttl: number;
  readonly #clock: Clock;
  readonly #gatewayTokens = new Map<string, { token: string; expires: number }>();

  constructor(
    key: KeyPair,
    options: { issuer: string; clientId: string; ttl: number; clock: Clock },
  ) {
    this.#key = key;
    this.#header = { alg: "EdDSA", typ: "at+jwt", kid: key.thumbprint };
    this.issuer = options.issuer;
    this.clientId = options.clientId;
    this.#ttl = options.ttl;
    this.#clock = options.clock;
  }

  /** The public key set upstreams verify tokens with. */
  jwks(): JsonWebKeySet {
    return {
      keys: [{ ...this.#key.publicJwk, kid: this.#key.thumbprint, alg: "EdDSA", use: "sig" }],
    };
  }

  /** A token for one allowed call: the user as subject, the agent chain as actors, the action as scope. */
  forCall(audience: string, subject: DownstreamSubject): string {
    return this.#mint(audience, subject.user, {
      scope: subject.action,
      ...(actorClaim(subject.chain) ?? {}),
      ...(subject.tenant === undefined ? {} : { tnt: subject.tenant }),
      writ_call: subject.callId,
    });
  }

  /**
   * A token for the gateway's own requests (initialize, tools/list): the
   * gateway as subject, no user and no actor. Reused until half its life is gone.
   */
  forGateway(audience: string): string {
    const now = this.#clock();
    const cached = this.#gatewayTokens.get(audience);
    if (cached && cached.expires - now > (this.#ttl * 1000) / 2) return cached.token;
    const token = this.#mint(audience, this.clientId, {});
    this.#gatewayTokens.set(audience, { token, expires: now + this.#ttl * 1000 });
    return token;
  }

  #mint(audience: string, subject: string, claims: Record<string, unknown>): string {
    const iat = Math.floor(this.#clock() / 1000);
    const payload = {
      iss: this.issuer,
      sub: subject,
      aud: audience,
      iat,
      exp: iat + this.#ttl,
      jti: randomUUID(),
      client_id: this.clientId,
      ...claims,
    };
    return signCompactJws(this.#header, payload, this.#key);
  }
}

/** RFC 8693 §4.1: the leaf agent acts now; each delegating agent before it is nested one level down. */
function actorClaim(chain: readonly string[]): { act: ActorClaim } | undefined {
  let act: ActorClaim | undefined;
  for (const agent of chain) act = act === undefined ? { sub: agent } : { sub: agent, act };
  return act === undefined ? undefined : { act };
}
