import { createHash } from "node:crypto";
import { WritError } from "@writ/core";
import { DpopProofVerifier } from "@writ/core/backend";
import { sameText } from "./browser-request.js";
import type { OAuthContext } from "./oauth-context.js";
import type { OAuthResource } from "./oauth-options.js";
import type { OAuthTokenResponse } from "./oauth-tokens.js";

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** The token endpoint's authorization code and refresh token grants, for the token route. */
export type OAuthTokenGrants = (
  form: Readonly<Record<string, string | undefined>>,
  dpopProof: string | undefined,
) => Promise<OAuthTokenResponse>;

/**
 * The authorization code grant (PKCE, the code once, its client, redirect
 * URI and resource) and the refresh token grant; a DPoP proof (RFC 9449)
 * binds the tokens to the client's key.
 */
export function codeGrants(ctx: OAuthContext): OAuthTokenGrants {
  const { clientFor, pending, tokens, clock, settings } = ctx;
  const { issuer, resources } = settings;
  const dpopProofs = new DpopProofVerifier();
  return async (form, dpopProof) => {
    const clientId = form.client_id ?? "";
    if (!(await clientFor(clientId))) {
      throw new WritError(
        "oauth.invalid_client",
        "This client is not registered here; register again.",
      );
    }
    // RFC 9449 §5: a client that sends a DPoP proof gets tokens bound to its key.
    const dpopJkt =
      dpopProof === undefined
        ? undefined
        : dpopProofs.verify(dpopProof, { method: "POST", url: `${issuer}/oauth/token` }, clock())
            .thumbprint;
    if (form.grant_type === "refresh_token") {
      return tokens.refresh(form.refresh_token ?? "", clientId, dpopJkt);
    }
    const family = tokens.newFamilyId();
    const approved = await pending.redeem(form.code ?? "", family);
    if (approved === undefined) {
      throw new WritError(
        "oauth.invalid_grant",
        "The authorization code is not valid or has expired.",
      );
    }
    if ("replayedFamily" in approved) {
      await tokens.revokeFamily(approved.replayedFamily, "authorization code reused");
      throw new WritError(
        "oauth.invalid_grant",
        "The authorization code was already used; its tokens are revoked.",
      );
    }
    if (approved.clientId !== clientId || form.redirect_uri !== approved.redirectUri) {
      throw new WritError(
        "oauth.invalid_grant",
        "The authorization code was issued to another client or redirect_uri.",
      );
    }
    const verifier = form.code_verifier ?? "";
    if (
      !VERIFIER.test(verifier) ||
      !sameText(createHash("sha256").update(verifier).digest("base64url"), approved.codeChallenge)
    ) {
      throw new WritError(
        "oauth.invalid_grant",
        "The code_verifier does not match the code_challenge (PKCE).",
      );
    }
    if (form.resource !== undefined && form.resource !== approved.resource) {
      throw new WritError(
        "oauth.invalid_target",
        "resource differs from the one the authorization was for.",
      );
    }
    return tokens.issue(
      family,
      {
        clientId,
        resource: resources.get(approved.resource) as OAuthResource,
        user: approved.user,
        agent: approved.agent,
        grants: approved.grants,
      },
      dpopJkt,
    );
  };
}
