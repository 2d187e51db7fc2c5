import { type Clock, errorSpec, WritError, type WritErrorCode } from "@writ/core";
import { decodeJwt } from "jose";
import { ACTOR_TOKEN_TYPE, type AgentTokenVerifier } from "../auth/agent-token-verifier.js";
import type { WritStore } from "../writ-store.js";
import { managedRoles, mapClaims } from "./claims-mapping.js";
import {
  IdentityProvider,
  type IdentityProviderOptions,
  type SubjectTokenType,
} from "./identity-provider.js";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const WRIT_TOKEN_TYPE = "urn:writ:params:oauth:token-type:writ";
const SUBJECT_TYPES: Readonly<Record<string, SubjectTokenType>> = {
  "urn:ietf:params:oauth:token-type:id_token": "id_token",
  "urn:ietf:params:oauth:token-type:access_token": "access_token",
};
const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";

export interface TokenExchangeOptions {
  /** The providers whose users may be exchanged for writs. */
  readonly identityProviders: readonly IdentityProviderOptions[];
  /** Longest writ lifetime issued, in seconds. Default 900. */
  readonly maxTtl?: number;
}

/** The RFC 8693 request parameters the server reads. */
export interface TokenExchangeRequest {
  readonly grant_type?: string | undefined;
  readonly subject_token?: string | undefined;
  readonly subject_token_type?: string | undefined;
  readonly actor_token?: string | undefined;
  readonly actor_token_type?: string | undefined;
  readonly requested_token_type?: string | undefined;
  /** Writ extension: narrow the writ below the user's permissions ∩ the agent's policy (text form). */
  readonly grants?: string | undefined;
}

export interface TokenExchangeResponse {
  readonly access_token: string;
  readonly issued_token_type: typeof WRIT_TOKEN_TYPE;
  readonly token_type: "N_A";
  readonly expires_in: number;
}

/**
 * RFC 8693 token exchange: the subject is a user, proven by an ID token (or
 * JWT access token) of a configured identity provider; the actor is an
 * agent, proven by a token signed with its registered key and addressed to
 * this server. The user is created or updated from the provider's claims
 * (roles the mapping manages follow the provider; others are kept), and a
 * root writ for that user is issued to the agent's key.
 */
export class TokenExchange {
  readonly #providers: readonly IdentityProvider[];
  readonly #store: WritStore;
  readonly #agents: AgentTokenVerifier;
  readonly #maxTtl: number;

  constructor(
    options: TokenExchangeOptions,
    store: WritStore,
    agents: AgentTokenVerifier,
    clock: Clock,
  ) {
    this.#providers = options.identityProviders.map(
      (provider) => new IdentityProvider(provider, clock),
    );
    this.#store = store;
    this.#agents = agents;
    this.#maxTtl = options.maxTtl ?? 900;
  }

  async exchange(request: TokenExchangeRequest): Promise<TokenExchangeResponse> {
    if (request.grant_type !== TOKEN_EXCHANGE_GRANT) {
      throw new WritError(
        "token.unsupported",
        `This endpoint serves grant_type ${TOKEN_EXCHANGE_GRANT} only.`,
        {
          name: "grant_type",
        },
      );
    }
    const subjectType = SUBJECT_TYPES[request.subject_token_type ?? ""];
    if (!request.subject_token || !subjectType) {
      throw fail(
        "request.invalid",
        "Send subject_token with subject_token_type urn:ietf:params:oauth:token-type:id_token or :access_token.",
      );
    }
    if (!request.actor_token || request.actor_token_type !== JWT_TOKEN_TYPE) {
      throw fail(
        "request.invalid",
        `Send actor_token (a ${ACTOR_TOKEN_TYPE} signed by the agent's key) with actor_token_type ${JWT_TOKEN_TYPE}.`,
      );
    }
    if (
      request.requested_token_type !== undefined &&
      request.requested_token_type !== WRIT_TOKEN_TYPE
    ) {
      throw fail("token.unsupported", `This server issues ${WRIT_TOKEN_TYPE} only.`);
    }
    const provider = this.#providerOf(request.subject_token);
    const claims = await provider.verify(request.subject_token, subjectType);
    const actor = await this.#agents.verify(request.actor_token, ACTOR_TOKEN_TYPE);
    const user = await this.#syncUser(provider, mapClaims(claims, provider.options.claims));
    const writ = await this.#store.issue({
      user,
      agent: actor.agent,
      key: actor.thumbprint,
      ttl: this.#maxTtl,
      ...(request.grants === undefined ? {} : { grants: request.grants }),
    });
    return {
      access_token: writ.toString(),
      issued_token_type: WRIT_TOKEN_TYPE,
      token_type: "N_A",
      expires_in: writ.root.claims.exp - writ.root.claims.iat,
    };
  }

  /** The provider named by the token's `iss` (read unverified only to choose whose keys verify it). */
  #providerOf(token: string): IdentityProvider {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch (error) {
      throw fail("token.invalid", "The subject token is not a JWT.", error);
    }
    const provider = this.#providers.find((candidate) => candidate.issuer === issuer);
    if (!provider) {
      throw fail(
        "token.wrong_issuer",
        "The subject token was issued by an identity provider this server does not trust.",
      );
    }
    return provider;
  }

  /** Creates the user, or brings its provider-managed roles up to date; writes only when something changed. */
  async #syncUser(
    provider: IdentityProvider,
    mapped: { readonly user: string; readonly roles: readonly string[] },
  ): Promise<string> {
    const { tenant, claims } = provider.options;
    const existing = await this.#store.getUser(mapped.user);
    if (existing && existing.tenant !== tenant) {
      throw fail(
        "auth.forbidden",
        `User "${mapped.user}" belongs to another tenant than this identity provider's.`,
      );
    }
    const managed = managedRoles(claims);
    const kept = (existing?.roles ?? []).filter((role) => !managed.has(role));
    const roles = [...new Set([...kept, ...mapped.roles])].sort();
    const unchanged =
      existing !== undefined &&
      roles.length === existing.roles.length &&
      roles.every((role, index) => role === [...existing.roles].sort()[index]);
    if (!unchanged) {
      await this.#store.putUser({
        id: mapped.user,
        ...(tenant === undefined ? {} : { tenant }),
        permissions: existing?.permissions ?? [],
        roles,
      });
    }
    return mapped.user;
  }
}

function fail(code: WritErrorCode, message: string, cause?: unknown): WritError {
  return new WritError(code, message, {}, cause);
}

/** The RFC 6749 §5.2 error code a token endpoint problem also carries. */
export function oauthError(error: WritError): string {
  const { code } = error;
  if (code === "token.unsupported" && error.details.name === "grant_type")
    return "unsupported_grant_type";
  if (code === "request.invalid" || code === "token.unsupported") return "invalid_request";
  const { status, retryable } = errorSpec(code);
  if (retryable) return "temporarily_unavailable";
  if (status >= 500) return "server_error";
  return "invalid_grant";
}
