import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import {
  type Grant,
  type IssuerKeys,
  intersectGrants,
  isActionPattern,
  jwkThumbprint,
  WritError,
} from "@writ/core";
import { DPOP_ALGORITHMS, DpopProofVerifier } from "@writ/core/backend";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { cors } from "hono/cors";
import type { HtmlEscapedString } from "hono/utils/html";
import { PAGE_HEADERS } from "../console/console-routes.js";
import { isSecure } from "../console/console-sessions.js";
import { finishOidcSignIn, type OidcSignIn, startOidcSignIn } from "../console/oidc-sign-in.js";
import { layout } from "../console/views/layout.js";
import { problemOf } from "../http/problem-details.js";
import type { WritApp } from "../routes/route-context.js";
import type { WritStore } from "../writ-store.js";
import { ClientMetadataDocuments } from "./client-metadata-documents.js";
import { ClientWrits } from "./client-writs.js";
import { authorizationErrorView, consentSignInView, consentView } from "./consent-view.js";
import { type OAuthClient, OAuthClients } from "./oauth-clients.js";
import type { OAuthResource, OAuthServerOptions } from "./oauth-options.js";
import { type OAuthTokenResponse, OAuthTokens } from "./oauth-tokens.js";
import { PendingAuthorizations } from "./pending-authorizations.js";

const METADATA_PATH = "/.well-known/oauth-authorization-server";
const SIGN_IN_CALLBACK = "/oauth/sign-in/callback";
const BROWSER_COOKIE = "writ_oauth";
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The token endpoint's authorization code and refresh token grants, for the token route. */
export type OAuthTokenGrants = (
  form: Readonly<Record<string, string | undefined>>,
  dpopProof: string | undefined,
) => Promise<OAuthTokenResponse>;

/**
 * The authorization server for MCP gateways: RFC 8414 metadata, RFC 7591
 * registration, the authorization endpoint with PKCE (S256 only) and RFC
 * 8707 resources, sign-in through the console's identity providers, the
 * consent page, RFC 9207 `iss` on every answer, RFC 7009 revocation. Returns
 * the token endpoint's grants (served at /oauth/token with token exchange).
 */
export function registerOAuthRoutes(
  app: WritApp,
  options: {
    readonly oauth: OAuthServerOptions;
    readonly store: WritStore;
    readonly providers: readonly OidcSignIn[];
    readonly clock: () => number;
  },
): OAuthTokenGrants {
  const { store, providers, clock } = options;
  const settings = checkOAuthOptions(options.oauth);
  const { issuer } = settings;
  const clients = new OAuthClients(store.oauthState, clock);
  const documents = new ClientMetadataDocuments({
    allowPrivateAddresses: options.oauth.clientMetadataDocuments?.allowPrivateAddresses === true,
    clock,
  });
  /** A registered client, or one described by its metadata document (undefined when neither). */
  const clientFor = async (clientId: string): Promise<OAuthClient | undefined> =>
    (await clients.find(clientId)) ??
    (ClientMetadataDocuments.names(clientId) ? documents.resolve(clientId) : undefined);
  const pending = new PendingAuthorizations(store.oauthState, clock);
  const resources = new Map(settings.resources.map((entry) => [entry.resource, entry]));
  const writs = new ClientWrits(store, settings.gatewayPolicy);
  const tokens = new OAuthTokens({
    store,
    writs,
    issuer,
    resources,
    accessTtl: settings.accessTokenTtl,
    refreshTtl: settings.refreshTokenTtl,
    clock,
  });
  const dpopProofs = new DpopProofVerifier();

  // Browser-based MCP clients read the metadata and call these endpoints from another origin.
  for (const path of [METADATA_PATH, "/oauth/register", "/oauth/revoke", "/oauth/token"]) {
    app.use(path, cors({ origin: "*", allowMethods: ["GET", "POST"], maxAge: 600 }));
  }

  app.get(METADATA_PATH, (c) => {
    c.header("cache-control", "max-age=300");
    return c.json({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      registration_endpoint: `${issuer}/oauth/register`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
      dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
    });
  });

  app.post("/oauth/register", async (c) => {
    c.header("cache-control", "no-store");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new WritError(
        "oauth.invalid_client_metadata",
        "The registration request must be JSON.",
      );
    }
    return c.json(await clients.register(body), 201);
  });

  const page = (c: Context, status: 200 | 400 | 403, title: string, body: HtmlEscapedString) =>
    c.html(layout({ title, body }), status, PAGE_HEADERS);
  const errorPage = (c: Context, message: string) =>
    page(c, 400, "Authorization failed", authorizationErrorView(message));

  app.get("/oauth/authorize", async (c) => {
    const query = new URL(c.req.url).searchParams;
    const one = (name: string) =>
      query.getAll(name).length === 1 ? (query.get(name) ?? "") : undefined;
    let client: OAuthClient | undefined;
    try {
      client = await clientFor(one("client_id") ?? "");
    } catch (error) {
      return errorPage(c, problemOf(error).detail);
    }
    if (!client) {
      return errorPage(
        c,
        "This client is not registered here (client_id); it must register again.",
      );
    }
    const redirectUri =
      one("redirect_uri") ??
      (client.redirect_uris.length === 1 ? client.redirect_uris[0] : undefined);
    // Exact match only: never send a code (or an error) anywhere the client did not register.
    if (redirectUri === undefined || !client.redirect_uris.includes(redirectUri)) {
      return errorPage(c, "The redirect_uri is not one this client registered.");
    }
    const state = one("state");
    const back = (params: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [name, value] of Object.entries({
        ...params,
        ...(state ? { state } : {}),
        iss: issuer,
      })) {
        url.searchParams.set(name, value);
      }
      return c.redirect(url.toString(), 302);
    };
    if (one("response_type") !== "code") {
      return back({
        error: "unsupported_response_type",
        error_description: "Only response_type=code is supported.",
      });
    }
    const challenge = one("code_challenge");
    if (
      one("code_challenge_method") !== "S256" ||
      challenge === undefined ||
      !CHALLENGE.test(challenge)
    ) {
      return back({
        error: "invalid_request",
        error_description: "PKCE is required: code_challenge with code_challenge_method=S256.",
      });
    }
    const requested = query.getAll("resource");
    const resource =
      requested.length === 0 && resources.size === 1
        ? [...resources.keys()][0]
        : requested.length === 1
          ? requested[0]
          : undefined;
    if (resource === undefined || !resources.has(resource)) {
      return back({
        error: "invalid_target",
        error_description: "resource must name one MCP gateway this server issues tokens for.",
      });
    }
    const scope = (one("scope") ?? "").split(" ").filter((token) => token.length > 0);
    const actions = scope.filter((token) => isActionPattern(token));
    const { pending: request, browserSecret } = await pending.open({
      client,
      redirectUri,
      state,
      codeChallenge: challenge,
      resource,
      scope: actions,
    });
    setCookie(c, BROWSER_COOKIE, `${request.id}.${browserSecret}`, {
      httpOnly: true,
      secure: isSecure(c),
      // Lax: it must come back with the identity provider's redirect.
      sameSite: "Lax",
      path: "/oauth",
      maxAge: 600,
    });
    return c.redirect(`/oauth/consent?request=${request.id}`, 303);
  });

  /** The request this browser has open, if the id matches its cookie. */
  const requestOf = async (c: Context, id: string | undefined) => {
    const [cookieId, secret] = (getCookie(c, BROWSER_COOKIE) ?? "").split(".");
    if (id === undefined || cookieId !== id) return undefined;
    const request = await pending.find(id, secret);
    return request && secret ? { request, secret } : undefined;
  };

  app.get("/oauth/sign-in/callback", async (c) => {
    const [id] = (getCookie(c, BROWSER_COOKIE) ?? "").split(".");
    const open = await requestOf(c, id);
    if (!open)
      return errorPage(
        c,
        "This authorization expired or was started in another browser; start again from the client.",
      );
    try {
      const identity = await finishOidcSignIn(c, providers, SIGN_IN_CALLBACK);
      const user = await store.userForIdentity({
        issuer: identity.issuer,
        subject: identity.subject,
      });
      if (!user) {
        throw new WritError(
          "identity.not_linked",
          "Your account is not linked to a Writ user; ask an administrator to link it.",
        );
      }
      await pending.signIn(open.request.id, user.id);
      return c.redirect(`/oauth/consent?request=${open.request.id}`, 303);
    } catch (error) {
      return page(
        c,
        400,
        "Sign in",
        consentSignInView({
          request: open.request.id,
          clientName: clientName(open.request.client),
          providers,
          error: problemOf(error).detail,
        }),
      );
    }
  });

  app.get("/oauth/sign-in/:index", async (c) => {
    const open = await requestOf(c, c.req.query("request"));
    const sign = providers[Number(c.req.param("index"))];
    if (!open || !sign)
      return errorPage(c, "This authorization expired; start again from the client.");
    return startOidcSignIn(c, sign, SIGN_IN_CALLBACK);
  });

  /** What the person may consent to: their authority ∩ the client's policy, limited to the scope asked for. */
  const offered = async (request: {
    readonly user?: string;
    readonly client: { client_id: string };
    readonly scope: readonly string[];
  }) => {
    const user = await store.getUser(request.user ?? "");
    if (!user)
      throw new WritError("identity.not_linked", "The Writ user who signed in no longer exists.");
    const agentId = agentIdOf(user.tenant, request.client.client_id);
    const agent = await store.getAgent(agentId);
    let grants: readonly Grant[] = user.effectivePermissions;
    if (agent) grants = intersectGrants(grants, agent.policy);
    if (request.scope.length > 0) {
      grants = intersectGrants(
        grants,
        request.scope.map((action) => ({ action })),
      );
    }
    return { user, agentId, agent, grants };
  };

  app.get("/oauth/consent", async (c) => {
    const open = await requestOf(c, c.req.query("request"));
    if (!open)
      return errorPage(
        c,
        "This authorization expired or was started in another browser; start again from the client.",
      );
    const { request, secret } = open;
    if (request.user === undefined) {
      return page(
        c,
        200,
        "Sign in",
        consentSignInView({
          request: request.id,
          clientName: clientName(request.client),
          providers,
        }),
      );
    }
    const { grants } = await offered(request);
    // The approval's redirect goes to the client: the form may be sent there and nowhere else.
    const target = new URL(request.redirectUri);
    const destination = /^https?:$/.test(target.protocol) ? target.origin : target.protocol;
    return c.html(
      layout({
        title: "Consent",
        body: consentView({
          request: request.id,
          csrf: csrfOf(secret, request.id),
          user: request.user,
          clientName: clientName(request.client),
          clientId: request.client.client_id,
          redirectHost: new URL(request.redirectUri).origin,
          resource: request.resource,
          grants,
        }),
      }),
      200,
      {
        ...PAGE_HEADERS,
        "content-security-policy": PAGE_HEADERS["content-security-policy"].replace(
          "form-action 'self'",
          `form-action 'self' ${destination}`,
        ),
      },
    );
  });

  app.post("/oauth/consent", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const id = typeof form.request === "string" ? form.request : undefined;
    const open = await requestOf(c, id);
    const origin = c.req.header("origin");
    if (
      !open ||
      open.request.user === undefined ||
      typeof form.csrf !== "string" ||
      !sameText(form.csrf, csrfOf(open.secret, open.request.id)) ||
      (origin !== undefined && origin !== new URL(c.req.url).origin)
    ) {
      return page(
        c,
        403,
        "Authorization failed",
        authorizationErrorView(
          "This consent did not come from its own page; start again from the client.",
        ),
      );
    }
    const { request } = open;
    // Single use: whatever the answer, this request is over; a second answer (here or at another instance) is refused.
    const closed = await pending.close(request.id);
    deleteCookie(c, BROWSER_COOKIE, { path: "/oauth", secure: isSecure(c) });
    if (!closed) {
      return page(
        c,
        403,
        "Authorization failed",
        authorizationErrorView("This consent was already answered; start again from the client."),
      );
    }
    const redirect = (params: Record<string, string>) => {
      const url = new URL(request.redirectUri);
      for (const [name, value] of Object.entries({
        ...params,
        ...(request.state ? { state: request.state } : {}),
        iss: issuer,
      })) {
        url.searchParams.set(name, value);
      }
      return c.redirect(url.toString(), 303);
    };
    if (form.decision !== "approve") {
      return redirect({
        error: "access_denied",
        error_description: "The user denied the request.",
      });
    }
    const { user, agentId, grants } = await offered(request);
    const picked = [form.grant ?? []].flat().map((value) => grants[Number(value)]);
    const chosen = picked.filter((grant): grant is Grant => grant !== undefined);
    if (chosen.length === 0 || chosen.length !== picked.length) {
      return redirect({ error: "access_denied", error_description: "No grant was approved." });
    }
    await writs.ensureAgents({
      agent: agentId,
      tenant: user.tenant,
      policy: settings.clientPolicy ?? chosen,
      resource: resources.get(request.resource) as OAuthResource,
    });
    const code = await pending.issueCode({
      clientId: request.client.client_id,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      resource: request.resource,
      user: user.id,
      agent: agentId,
      grants: chosen,
    });
    return redirect({ code });
  });

  app.post("/oauth/revoke", async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    const clientId = typeof form.client_id === "string" ? form.client_id : undefined;
    await tokens.revokeRefreshToken(token, clientId);
    const jti = accessTokenJti(token, await store.issuerKeys());
    if (jti !== undefined) await tokens.revokeAccessToken(jti);
    // RFC 7009 §2.2: the answer is the same whether or not the token was known.
    return c.body(null, 200);
  });

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

/** The agent a client is in a tenant: stable, derived from its client id. */
function agentIdOf(tenant: string | undefined, clientId: string): string {
  const digest = createHash("sha256")
    .update(`${tenant ?? ""}\n${clientId}`)
    .digest("base64url");
  return `mcp-client-${digest.slice(0, 22)}`;
}

function clientName(client: { readonly client_name?: string; readonly client_id: string }): string {
  return client.client_name ?? client.client_id;
}

/** The consent form's CSRF token: derived from this browser's secret for the request. */
function csrfOf(secret: string, id: string): string {
  return createHmac("sha256", secret).update(`consent:${id}`).digest("base64url");
}

function sameText(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The writ id an access token of this server refers to; undefined for anything this server did not sign. */
function accessTokenJti(token: string, keys: IssuerKeys): string | undefined {
  const [header, payload, signature] = token.split(".");
  try {
    const { kid } = JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as {
      kid?: unknown;
    };
    const key = typeof kid === "string" ? keys.publicKey(kid) : undefined;
    if (
      !key?.verify(Buffer.from(`${header}.${payload}`), Buffer.from(signature ?? "", "base64url"))
    )
      return undefined;
    const { jti } = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as {
      jti?: unknown;
    };
    return typeof jti === "string" ? jti : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the options once: an issuer URL without a path, gateways with Ed25519 keys, lifetimes. */
function checkOAuthOptions(options: OAuthServerOptions) {
  const issuer = options?.issuer;
  if (
    typeof issuer !== "string" ||
    !URL.canParse(issuer) ||
    (new URL(issuer).pathname !== "/" && new URL(issuer).pathname !== "")
  ) {
    throw new TypeError(
      "oauth.issuer must be this server's public URL, without a path (https://writ.example.com).",
    );
  }
  const url = new URL(issuer);
  if (url.protocol !== "https:" && !["127.0.0.1", "[::1]", "localhost"].includes(url.hostname)) {
    throw new TypeError(
      "oauth.issuer must be an https URL (http only on loopback, for development).",
    );
  }
  if (!Array.isArray(options.resources) || options.resources.length === 0) {
    throw new TypeError(
      "oauth.resources must list the MCP gateways tokens are issued for: { resource, key }.",
    );
  }
  for (const entry of options.resources) {
    if (typeof entry?.resource !== "string" || !URL.canParse(entry.resource)) {
      throw new TypeError("Each of oauth.resources needs resource: the gateway's MCP URL.");
    }
    jwkThumbprint(entry.key);
  }
  const accessTokenTtl = options.accessTokenTtl ?? 300;
  if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 30 || accessTokenTtl > 900) {
    throw new TypeError("oauth.accessTokenTtl is a whole number of seconds from 30 to 900.");
  }
  const refreshTokenTtl = options.refreshTokenTtl ?? 2_592_000;
  if (!Number.isInteger(refreshTokenTtl) || refreshTokenTtl < accessTokenTtl) {
    throw new TypeError(
      "oauth.refreshTokenTtl is a whole number of seconds, at least accessTokenTtl.",
    );
  }
  return {
    issuer: url.origin,
    resources: options.resources,
    accessTokenTtl,
    refreshTokenTtl,
    clientPolicy: options.clientPolicy,
    gatewayPolicy: options.gatewayPolicy,
  };
}
