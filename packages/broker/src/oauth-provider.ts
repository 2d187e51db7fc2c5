import {
  type AuthorizationServer,
  allowInsecureRequests,
  authorizationCodeGrantRequest,
  type Client,
  type ClientAuth,
  ClientSecretBasic,
  ClientSecretPost,
  customFetch,
  discoveryRequest,
  None,
  processAuthorizationCodeResponse,
  processDiscoveryResponse,
  processRefreshTokenResponse,
  processRevocationResponse,
  refreshTokenGrantRequest,
  revocationRequest,
  type TokenEndpointResponse,
  validateAuthResponse,
} from "oauth4webapi";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";
import { type ProviderOperation, providerFailure } from "./provider-failure.js";
import { normalizeScopes, ScopeTranslation } from "./scope-translation.js";

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Parameters the broker sets on an authorization request itself. */
const RESERVED_PARAMETERS = new Set([
  "client_id",
  "response_type",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "resource",
]);

export interface ProviderTransport {
  readonly fetch: typeof fetch;
  /** Per request to the provider, in ms. */
  readonly timeoutMs: number;
}

/**
 * One configured provider, speaking OAuth through oauth4webapi: metadata
 * discovery (once, retried after a failure), the authorization request with
 * PKCE (S256) and the resource indicator, the code exchange, refreshes
 * narrowed to a scope set, and RFC 7009 revocation. Every failure is a
 * WritError (provider-failure.ts) that carries no token.
 */
export class OAuthProvider {
  readonly id: string;
  readonly scopes: ScopeTranslation;
  readonly connectScopes: readonly string[];
  readonly resource: string | undefined;
  readonly #options: OAuthProviderOptions;
  readonly #client: Client;
  readonly #auth: ClientAuth;
  readonly #transport: ProviderTransport;
  #server: Promise<AuthorizationServer> | undefined;

  constructor(options: OAuthProviderOptions, transport: ProviderTransport) {
    if (options === null || typeof options !== "object")
      throw new TypeError("A provider needs its options.");
    if (typeof options.id !== "string" || !PROVIDER_ID.test(options.id)) {
      throw new TypeError(
        "A provider id is 1–64 characters from a–z, 0–9, '.', '_' and '-', starting with a letter or digit.",
      );
    }
    const { id } = options;
    if (options.issuer === undefined && options.endpoints === undefined) {
      throw new TypeError(`Provider "${id}" needs an issuer (discovered) or explicit endpoints.`);
    }
    const insecure = options.allowInsecureHttp === true;
    if (options.issuer !== undefined) checkUrl(options.issuer, `${id}: issuer`, insecure);
    if (options.endpoints !== undefined) {
      checkUrl(options.endpoints.authorization, `${id}: endpoints.authorization`, insecure);
      checkUrl(options.endpoints.token, `${id}: endpoints.token`, insecure);
      if (options.endpoints.revocation !== undefined)
        checkUrl(options.endpoints.revocation, `${id}: endpoints.revocation`, insecure);
    }
    if (options.discovery !== undefined && !["oidc", "oauth2"].includes(options.discovery)) {
      throw new TypeError(`Provider "${id}": discovery is "oidc" or "oauth2".`);
    }
    if (typeof options.clientId !== "string" || options.clientId.length === 0)
      throw new TypeError(`Provider "${id}" needs the clientId the broker is registered as.`);
    checkUrl(options.redirectUri, `${id}: redirectUri`, insecure);
    if (options.resource !== undefined) checkUrl(options.resource, `${id}: resource`, true);
    for (const name of Object.keys(options.authorizationParameters ?? {})) {
      if (RESERVED_PARAMETERS.has(name)) {
        throw new TypeError(
          `Provider "${id}": authorizationParameters cannot set "${name}"; the broker sets it.`,
        );
      }
    }
    this.id = id;
    this.scopes = new ScopeTranslation(options.scopes, id);
    this.connectScopes = normalizeScopes(options.connectScopes ?? []);
    this.resource = options.resource;
    this.#options = options;
    this.#client = { client_id: options.clientId };
    this.#auth = clientAuth(options);
    this.#transport = transport;
  }

  /** The URL to send the user to: code flow, PKCE S256, the resource indicator, the provider's extras. */
  async authorizationUrl(request: {
    readonly state: string;
    readonly codeChallenge: string;
    readonly scopes: readonly string[];
  }): Promise<URL> {
    const server = await this.#metadata();
    if (server.authorization_endpoint === undefined) {
      throw providerFailure(new Error("no authorization endpoint"), this.id, "discovery");
    }
    const url = new URL(server.authorization_endpoint);
    for (const [name, value] of Object.entries(this.#options.authorizationParameters ?? {}))
      url.searchParams.set(name, value);
    url.searchParams.set("client_id", this.#options.clientId);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("redirect_uri", this.#options.redirectUri);
    url.searchParams.set("scope", request.scopes.join(" "));
    url.searchParams.set("state", request.state);
    url.searchParams.set("code_challenge", request.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
    if (this.resource !== undefined) url.searchParams.set("resource", this.resource);
    return url;
  }

  /** Checks the callback (state, issuer, error) and exchanges its code with the PKCE verifier. */
  async exchangeCode(
    parameters: URLSearchParams,
    state: string,
    verifier: string,
  ): Promise<TokenEndpointResponse> {
    const server = await this.#metadata();
    let callback: URLSearchParams;
    try {
      callback = validateAuthResponse(server, this.#client, parameters, state);
    } catch (error) {
      throw providerFailure(error, this.id, "authorization");
    }
    return this.#call("code", async () =>
      processAuthorizationCodeResponse(
        server,
        this.#client,
        await authorizationCodeGrantRequest(
          server,
          this.#client,
          this.#auth,
          callback,
          this.#options.redirectUri,
          verifier,
          { ...this.#http(), ...this.#resourceParameter() },
        ),
      ),
    );
  }

  /** A refresh asking for exactly `scopes` (RFC 6749 §6: a subset of what was granted). */
  async refresh(refreshToken: string, scopes: readonly string[]): Promise<TokenEndpointResponse> {
    const server = await this.#metadata();
    return this.#call("refresh", async () =>
      processRefreshTokenResponse(
        server,
        this.#client,
        await refreshTokenGrantRequest(server, this.#client, this.#auth, refreshToken, {
          ...this.#http(),
          additionalParameters: {
            scope: scopes.join(" "),
            ...(this.resource === undefined ? {} : { resource: this.resource }),
          },
        }),
      ),
    );
  }

  /** RFC 7009. False when the provider has no revocation endpoint. */
  async revoke(token: string, hint: "refresh_token" | "access_token"): Promise<boolean> {
    const server = await this.#metadata();
    if (server.revocation_endpoint === undefined) return false;
    await this.#call("revocation", async () =>
      processRevocationResponse(
        await revocationRequest(server, this.#client, this.#auth, token, {
          ...this.#http(),
          additionalParameters: { token_type_hint: hint },
        }),
      ),
    );
    return true;
  }

  #metadata(): Promise<AuthorizationServer> {
    const { issuer, endpoints } = this.#options;
    if (endpoints !== undefined) {
      return Promise.resolve({
        issuer: issuer ?? new URL(endpoints.token).origin,
        authorization_endpoint: endpoints.authorization,
        token_endpoint: endpoints.token,
        ...(endpoints.revocation === undefined
          ? {}
          : { revocation_endpoint: endpoints.revocation }),
      });
    }
    this.#server ??= this.#call("discovery", async () => {
      const url = new URL(issuer as string);
      const response = await discoveryRequest(url, {
        ...this.#http(),
        algorithm: this.#options.discovery ?? "oidc",
      });
      return processDiscoveryResponse(url, response);
    }).catch((error: unknown) => {
      this.#server = undefined; // discover again on the next use
      throw error;
    });
    return this.#server;
  }

  async #call<T>(operation: ProviderOperation, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw providerFailure(error, this.id, operation);
    }
  }

  #http() {
    return {
      signal: () => AbortSignal.timeout(this.#transport.timeoutMs),
      // oauth4webapi's options are a RequestInit in all but name (typed per method).
      [customFetch]: (url: string, init: object) => this.#transport.fetch(url, init as RequestInit),
      [allowInsecureRequests]: this.#options.allowInsecureHttp === true,
    };
  }

  #resourceParameter(): { additionalParameters?: Record<string, string> } {
    return this.resource === undefined ? {} : { additionalParameters: { resource: this.resource } };
  }
}

function clientAuth(options: OAuthProviderOptions): ClientAuth {
  const method =
    options.clientAuthentication ??
    (options.clientSecret === undefined ? "none" : "client_secret_basic");
  if (method === "none") return None();
  if (typeof options.clientSecret !== "string" || options.clientSecret.length === 0) {
    throw new TypeError(`Provider "${options.id}" uses ${method} but has no clientSecret.`);
  }
  if (method === "client_secret_basic") return ClientSecretBasic(options.clientSecret);
  if (method === "client_secret_post") return ClientSecretPost(options.clientSecret);
  throw new TypeError(
    `Provider "${options.id}": clientAuthentication is client_secret_basic, client_secret_post or none.`,
  );
}

function checkUrl(value: unknown, what: string, allowHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(`${what} is not a URL.`);
  }
  if (url.protocol !== "https:" && !(allowHttp && url.protocol === "http:")) {
    throw new TypeError(
      `${what} must use https (allowInsecureHttp is for local development only).`,
    );
  }
}
