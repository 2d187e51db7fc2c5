import { type Clock, errorSpec, isWritError, WritError, type WritErrorCode } from "@writ/core";
import { isPrincipalId } from "@writ/core/backend";
import type { IdentityInput, UserRecord } from "@writ/store";
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
 * RFC 8693 token exchange: the subject is a person at a configured identity
 * provider, proven by its ID token (or JWT access token); the actor is an
 * agent, proven by a token signed with its registered key and addressed to
 * this server. The person's identity (the provider's issuer and the value of
 * its user claim) must be linked to a Writ user, by an admin or by the
 * provider's just-in-time provisioning: a token never reaches a user merely
 * because a claim equals the user's id. The user's roles the mapping manages
 * follow the provider (others are kept), and a root writ for that user is
 * issued to the agent's key.
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
    const mapped = mapClaims(claims, provider.options.claims, provider.emailDomains);
    const user = await this.#syncRoles(
      provider,
      await this.#linkedUser(provider, mapped),
      mapped.roles,
    );
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

  /** The user the identity is linked to, provisioned first when the provider says so. */
  async #linkedUser(
    provider: IdentityProvider,
    mapped: { readonly subject: string; readonly roles: readonly string[] },
  ): Promise<UserRecord> {
    const identity: IdentityInput = { issuer: provider.issuer, subject: mapped.subject };
    const linked = await this.#store.userForIdentity(identity);
    if (linked) return linked;
    const { justInTimeProvisioning, tenant } = provider.options;
    if (!justInTimeProvisioning) {
      throw notLinked(
        "This identity is not linked to a Writ user: an admin links it (writ users link, PUT /v1/users/{id}/identities), or the provider's justInTimeProvisioning creates its user.",
      );
    }
    if (!isPrincipalId(mapped.subject)) {
      throw notLinked(
        "This identity is not linked to a Writ user, and its subject cannot be a user id: an admin must link it to a user.",
      );
    }
    try {
      return await this.#store.provisionUser(
        { id: mapped.subject, ...(tenant === undefined ? {} : { tenant }), roles: mapped.roles },
        identity,
      );
    } catch (error) {
      if (!isWritError(error) || error.code !== "store.conflict") throw error;
      // Linked meanwhile by a concurrent exchange, or the id is another user's, never taken over.
      const raced = await this.#store.userForIdentity(identity);
      if (raced) return raced;
      throw notLinked(
        "A user with this identity's subject as id exists and is not linked to it: an admin must link it.",
      );
    }
  }

  /** Brings the user's provider-managed roles up to date; writes only when something changed. */
  async #syncRoles(
    provider: IdentityProvider,
    user: UserRecord,
    mappedRoles: readonly string[],
  ): Promise<string> {
    const { tenant, claims } = provider.options;
    if (user.tenant !== tenant) {
      throw fail(
        "auth.forbidden",
        "The user this identity is linked to belongs to another tenant than this identity provider's.",
      );
    }
    const managed = managedRoles(claims);
    const kept = user.roles.filter((role) => !managed.has(role));
    const roles = [...new Set([...kept, ...mappedRoles])].sort();
    const current = [...user.roles].sort();
    if (roles.length !== current.length || roles.some((role, index) => role !== current[index])) {
      await this.#store.putUser({
        id: user.id,
        ...(tenant === undefined ? {} : { tenant }),
        permissions: user.permissions,
        roles,
      });
    }
    return user.id;
  }
}

function notLinked(message: string): WritError {
  return new WritError("identity.not_linked", message);
}

function fail(code: WritErrorCode, message: string, cause?: unknown): WritError {
  return new WritError(code, message, {}, cause);
}

/** The RFC 6749 §5.2 error code a token endpoint problem also carries. */
export function oauthError(error: WritError): string {
  const { code } = error;
  if (code.startsWith("oauth.")) return code.slice("oauth.".length);
  if (code.startsWith("dpop.") && !errorSpec(code).retryable) return "invalid_dpop_proof";
  if (code === "token.unsupported" && error.details.name === "grant_type")
    return "unsupported_grant_type";
  if (
    code === "request.invalid" ||
    code === "request.unsupported_media_type" ||
    code === "token.unsupported"
  )
    return "invalid_request";
  const { status, retryable } = errorSpec(code);
  if (retryable) return "temporarily_unavailable";
  if (status >= 500) return "server_error";
  return "invalid_grant";
}
