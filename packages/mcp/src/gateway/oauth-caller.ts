import { type Clock, type Guard, isWritError, type KeyPair, Session } from "@writ/core";
import { DpopProofVerifier } from "@writ/core/backend";
import type { Caller, PresentedAccessToken } from "./caller-credentials.js";
import { challengeFor, type HttpChallenge } from "./http-challenge.js";
import { type AuthorizationServerTrust, verifyAccessToken } from "./oauth-access-token.js";

/** What the gateway signs a proof for, on behalf of a caller whose writ it holds. */
export interface ProofSubject {
  readonly action: string;
  readonly tool: string;
  readonly args: unknown;
}

/**
 * Callers that come with an OAuth access token instead of a writ (stock MCP
 * clients: Claude Desktop, VS Code, Cursor, Inspector). The token refers to a
 * writ the authorization server issued to the client's agent and bound to
 * this gateway's key (its `signingKey`), so the writ is usable here and
 * nowhere else; the gateway signs each call's proof with that key, and the
 * guard then decides the call exactly as a writ-carrying one: full chain,
 * live state (a revoked client, user or consent is refused at once), current
 * policy, recorded before it runs. A DPoP-bound token (RFC 9449, `cnf.jkt`)
 * is taken only under the DPoP scheme with a proof for this request, signed by
 * the client's key: a stolen token alone is of no use.
 */
export class OAuthCallers {
  readonly #guard: Guard;
  readonly #trust: AuthorizationServerTrust;
  readonly #holder: KeyPair;
  readonly #clock: Clock;
  readonly #dpopProofs = new DpopProofVerifier();

  constructor(options: {
    readonly guard: Guard;
    readonly trust: AuthorizationServerTrust;
    readonly holder: KeyPair;
    readonly clock: Clock;
  }) {
    this.#guard = options.guard;
    this.#trust = options.trust;
    this.#holder = options.holder;
    this.#clock = options.clock;
  }

  /**
   * The caller a token stands for, or 401 `invalid_token` (`invalid_dpop_proof`
   * for a DPoP proof that is missing or not valid for this request); never 403:
   * that is for calls its grants don't cover.
   */
  authenticate(
    presented: PresentedAccessToken,
    method: string,
  ): { readonly caller: Caller } | { readonly challenge: HttpChallenge } {
    const resource = this.#guard.audience;
    const { token } = presented;
    let writ: string;
    try {
      const grant = verifyAccessToken(token, this.#trust, resource, this.#clock());
      if (grant.dpopJkt === undefined) {
        if (presented.scheme === "DPoP") {
          // A bearer token is presented as one: a proof would bind nothing.
          return {
            challenge: { status: 401, error: "invalid_token", code: "oauth.token_invalid" },
          };
        }
      } else {
        if (presented.scheme === "Bearer") {
          // A DPoP-bound token sent as a bearer token is refused (RFC 9449 §7.2).
          return {
            challenge: { status: 401, error: "invalid_token", code: "oauth.token_dpop_bound" },
          };
        }
        const refusal = this.#refuseProof(presented, grant.dpopJkt, method);
        if (refusal) return { challenge: refusal };
      }
      writ = grant.writ;
    } catch (error) {
      // Fail closed: whatever went wrong, the token is not accepted.
      const code = isWritError(error) ? error.code : "oauth.token_invalid";
      return {
        challenge: {
          status: 401,
          error: "invalid_token",
          code:
            code === "oauth.token_expired" || code === "oauth.token_wrong_audience"
              ? code
              : "oauth.token_invalid",
        },
      };
    }
    const check = this.#guard.checkWrit(writ);
    if (!check.valid) {
      return { challenge: { status: 401, error: "invalid_token", code: check.code } };
    }
    let session: Session;
    try {
      session = new Session(
        { id: check.agent, key: this.#holder, thumbprint: this.#holder.thumbprint },
        writ,
        { clock: this.#clock },
      );
    } catch {
      // The writ is bound to another gateway's key: not a token for this one.
      return {
        challenge: { status: 401, error: "invalid_token", code: "oauth.token_wrong_audience" },
      };
    }
    const http = { method: "POST", url: resource };
    return {
      caller: {
        writ,
        // The whole chain: every client of a user goes through the same gateway agent.
        principal: JSON.stringify([check.tenant ?? null, check.user, check.chain]),
        prove: (subject) => session.prove({ ...subject, audience: resource, http }),
      },
    };
  }

  /** Why the request's DPoP proof does not show possession of the token's key for this request; undefined when it does. */
  #refuseProof(
    presented: PresentedAccessToken,
    thumbprint: string,
    method: string,
  ): HttpChallenge | undefined {
    try {
      this.#dpopProofs.verify(
        presented.dpopProof,
        { method, url: this.#guard.audience, accessToken: presented.token, thumbprint },
        this.#clock(),
      );
      return undefined;
    } catch (error) {
      // Fail closed: a proof that cannot be checked is not accepted.
      const code = isWritError(error) ? error.code : "dpop.malformed";
      return (
        challengeFor(code) ?? { status: 401, error: "invalid_dpop_proof", code: "dpop.malformed" }
      );
    }
  }
}
