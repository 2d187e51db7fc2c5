import { type Clock, WritError } from "@writ/core";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { allowInsecureRequests, discoveryRequest, processDiscoveryResponse } from "oauth4webapi";
import { joseErrorCode } from "../auth/jose-error-code.js";
import { type ClaimsMapping, checkClaimsMapping } from "./claims-mapping.js";

/** An external identity provider whose users' tokens the server exchanges for writs. */
export interface IdentityProviderOptions {
  /** The issuer identifier (`iss`), exactly. Its OIDC discovery document gives the JWKS unless `jwksUri` is set. */
  readonly issuer: string;
  /** The client id ID tokens are issued to: their `aud` (and `azp` when there are several audiences). */
  readonly clientId: string;
  /** The audience of JWT access tokens (RFC 9068) to accept; without it only ID tokens are accepted. */
  readonly accessTokenAudience?: string;
  /** The provider's JWKS, when it has no discovery document. */
  readonly jwksUri?: string;
  /** The tenant users from this provider belong to. Default: none. */
  readonly tenant?: string;
  /** Which claims name the person and give roles. */
  readonly claims?: ClaimsMapping;
  /**
   * With `claims.user: "email"`, required: the domains this provider may
   * assert addresses for (`example.com` admits `alice@example.com`, not a
   * subdomain). The address must also be verified (`email_verified: true`).
   */
  readonly emailDomains?: readonly string[];
  /**
   * Just-in-time provisioning: the first exchange of an identity of this
   * provider that is linked to no user creates the user (id = the subject,
   * this provider's tenant and mapped roles) linked to it. An identity never
   * takes over an existing user, even one whose id equals its subject: an
   * admin links that one. Default false: only identities an admin linked
   * (`writ users link`, `PUT /v1/users/{id}/identities`) are exchanged.
   */
  readonly justInTimeProvisioning?: boolean;
  /** Accepted signature algorithms. Default RS256, PS256, ES256, EdDSA (never `none` or HMAC). */
  readonly algorithms?: readonly string[];
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Default 60. */
  readonly clockSkew?: number;
  /** Allow an `http:` issuer: for local development and tests only. Default false. */
  readonly allowInsecureHttp?: boolean;
}

export type SubjectTokenType = "id_token" | "access_token";

const DEFAULT_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];

/** Verifies one provider's tokens against its issuer and JWKS (fetched and cached by jose). */
export class IdentityProvider {
  readonly options: IdentityProviderOptions;
  readonly #clock: Clock;
  #jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  constructor(options: IdentityProviderOptions, clock: Clock) {
    let issuer: URL;
    try {
      issuer = new URL(options.issuer);
    } catch {
      throw new TypeError(
        `Identity provider issuer ${JSON.stringify(options.issuer)} is not a URL.`,
      );
    }
    if (
      issuer.protocol !== "https:" &&
      !(issuer.protocol === "http:" && options.allowInsecureHttp)
    ) {
      throw new TypeError(
        `Identity provider ${options.issuer} must use https (allowInsecureHttp is for local development only).`,
      );
    }
    if (typeof options.clientId !== "string" || options.clientId.length === 0) {
      throw new TypeError(
        `Identity provider ${options.issuer} needs the clientId its ID tokens are issued to.`,
      );
    }
    if (options.claims) checkClaimsMapping(options.claims);
    if (options.claims?.user === "email" && (options.emailDomains ?? []).length === 0) {
      throw new TypeError(
        `Identity provider ${options.issuer} names users by email: list the domains it may assert addresses for in emailDomains.`,
      );
    }
    for (const domain of options.emailDomains ?? []) {
      if (typeof domain !== "string" || !/^[a-z0-9.-]+\.[a-z0-9-]+$/i.test(domain)) {
        throw new TypeError(
          `Identity provider ${options.issuer} lists an invalid email domain ${JSON.stringify(domain)}.`,
        );
      }
    }
    this.options = options;
    this.#clock = clock;
  }

  get issuer(): string {
    return this.options.issuer;
  }

  /** The email domains this provider may assert addresses for, lowercased. */
  get emailDomains(): readonly string[] {
    return (this.options.emailDomains ?? []).map((domain) => domain.toLowerCase());
  }

  /** Verifies a subject token; throws token.* codes (or idp.unavailable) naming what failed. */
  async verify(token: string, type: SubjectTokenType): Promise<JWTPayload> {
    const { options } = this;
    const audience = type === "id_token" ? options.clientId : options.accessTokenAudience;
    if (audience === undefined) {
      throw new WritError(
        "token.unsupported",
        `Identity provider ${options.issuer} is configured for ID tokens only; set accessTokenAudience to accept access tokens.`,
      );
    }
    const keys = await this.#keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience,
        algorithms: [...(options.algorithms ?? DEFAULT_ALGORITHMS)],
        clockTolerance: options.clockSkew ?? 60,
        currentDate: new Date(this.#clock()),
        requiredClaims: ["sub", "exp", "iat"],
      }));
    } catch (error) {
      throw new WritError(
        joseErrorCode(error),
        describeFailure(joseErrorCode(error), type),
        {},
        error,
      );
    }
    if (
      type === "id_token" &&
      Array.isArray(payload.aud) &&
      payload.aud.length > 1 &&
      payload.azp !== options.clientId
    ) {
      throw new WritError(
        "token.wrong_audience",
        "The ID token was issued to another client (azp).",
      );
    }
    return payload;
  }

  #keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.#jwks ??= this.#discoverJwks().then(
      (uri) =>
        createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 }),
      (error: unknown) => {
        this.#jwks = undefined; // try discovery again on the next exchange
        throw error;
      },
    );
    return this.#jwks;
  }

  async #discoverJwks(): Promise<string> {
    const { options } = this;
    if (options.jwksUri !== undefined) return options.jwksUri;
    try {
      const issuer = new URL(options.issuer);
      const response = await discoveryRequest(issuer, {
        algorithm: "oidc",
        [allowInsecureRequests]: options.allowInsecureHttp === true,
        signal: AbortSignal.timeout(5000),
      });
      const metadata = await processDiscoveryResponse(issuer, response);
      if (typeof metadata.jwks_uri !== "string") throw new Error("no jwks_uri");
      return metadata.jwks_uri;
    } catch (error) {
      throw new WritError(
        "idp.unavailable",
        `The discovery document of identity provider ${options.issuer} could not be read.`,
        {},
        error,
      );
    }
  }
}

function describeFailure(code: string, type: SubjectTokenType): string {
  const what = type === "id_token" ? "ID token" : "access token";
  switch (code) {
    case "token.expired":
      return `The ${what} has expired; sign the user in again.`;
    case "token.wrong_audience":
      return `The ${what} was issued for another audience than this server's client.`;
    case "token.wrong_issuer":
      return `The ${what} was issued by another issuer.`;
    case "token.not_yet_valid":
      return `The ${what} is not valid yet; check the clocks.`;
    case "idp.unavailable":
      return "The identity provider's keys could not be fetched.";
    default:
      return `The ${what} did not verify against its identity provider's keys.`;
  }
}
