import { randomBytes } from "node:crypto";
import { WritError } from "@writ/core";
import type { OAuthStateStore } from "@writ/core/backend";

/** A registered OAuth client: a public client (PKCE, no secret), as MCP clients are. */
export interface OAuthClient {
  readonly client_id: string;
  readonly client_name?: string;
  readonly client_uri?: string;
  readonly redirect_uris: readonly string[];
  readonly grant_types: readonly string[];
  readonly response_types: readonly string[];
  readonly token_endpoint_auth_method: "none";
  readonly client_id_issued_at: number;
}

const MAX_CLIENTS = 10_000;
const MAX_REDIRECT_URIS = 10;
const GRANT_TYPES = ["authorization_code", "refresh_token"];

/**
 * Clients registered through RFC 7591 Dynamic Client Registration. Every
 * client is public: it proves itself with PKCE, never a secret. Registrations
 * are kept in the store (at most 10,000), so every server instance knows
 * them and a restart keeps them.
 */
export class OAuthClients {
  readonly #state: OAuthStateStore;
  readonly #clock: () => number;

  constructor(state: OAuthStateStore, clock: () => number) {
    this.#state = state;
    this.#clock = clock;
  }

  /** Registers a client from its metadata (RFC 7591 §2), or throws `oauth.invalid_client_metadata` / `oauth.invalid_redirect_uri`. */
  async register(metadata: unknown): Promise<OAuthClient> {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw invalid("The registration request must be a JSON object of client metadata.");
    }
    const input = metadata as Record<string, unknown>;
    const redirectUris = input.redirect_uris;
    if (
      !Array.isArray(redirectUris) ||
      redirectUris.length === 0 ||
      redirectUris.length > MAX_REDIRECT_URIS
    ) {
      throw invalid(`redirect_uris must list 1 to ${MAX_REDIRECT_URIS} redirect URIs.`);
    }
    for (const uri of redirectUris) checkRedirectUri(uri);
    const grantTypes = optionalList(input.grant_types, ["authorization_code"], "grant_types");
    if (grantTypes.some((type) => !GRANT_TYPES.includes(type))) {
      throw invalid("grant_types may hold only authorization_code and refresh_token.");
    }
    const responseTypes = optionalList(input.response_types, ["code"], "response_types");
    if (responseTypes.some((type) => type !== "code")) {
      throw invalid("response_types may hold only code.");
    }
    if ((await this.#state.countOAuthClients()) >= MAX_CLIENTS) {
      throw new WritError(
        "request.rate_limited",
        "This server holds as many registered clients as it may; try again later.",
      );
    }
    const client: OAuthClient = {
      client_id: `mcpc_${randomBytes(16).toString("base64url")}`,
      ...optionalText(input.client_name, "client_name"),
      ...optionalText(input.client_uri, "client_uri"),
      redirect_uris: redirectUris as string[],
      grant_types: grantTypes,
      response_types: responseTypes,
      token_endpoint_auth_method: "none",
      client_id_issued_at: Math.floor(this.#clock() / 1000),
    };
    await this.#state.putOAuthClient({
      clientId: client.client_id,
      data: JSON.stringify(client),
      createdAt: this.#clock(),
    });
    return client;
  }

  async find(clientId: string): Promise<OAuthClient | undefined> {
    const record = await this.#state.getOAuthClient(clientId);
    return record && (JSON.parse(record.data) as OAuthClient);
  }
}

/**
 * A redirect URI a client may register: absolute, no fragment, https, http
 * only to a loopback host (native apps, RFC 8252 §7.3), or an app's own
 * scheme (`cursor://`, `vscode://`, RFC 8252 §7.1); never a scheme that runs
 * code in the browser.
 */
export function checkRedirectUri(uri: unknown): string {
  if (typeof uri !== "string" || uri.length > 2048 || !URL.canParse(uri)) {
    throw invalidRedirect("Each redirect URI must be an absolute URL.");
  }
  const url = new URL(uri);
  if (url.hash !== "") throw invalidRedirect("A redirect URI may not have a fragment.");
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https") return uri;
  if (scheme === "http") {
    if (["127.0.0.1", "[::1]", "localhost"].includes(url.hostname)) return uri;
    throw invalidRedirect("An http redirect URI must point to a loopback address.");
  }
  if (
    ["javascript", "data", "file", "blob", "about", "vbscript", "ftp", "ws", "wss"].includes(scheme)
  ) {
    throw invalidRedirect(`A redirect URI may not use the ${scheme}: scheme.`);
  }
  return uri;
}

function optionalList(value: unknown, fallback: string[], name: string): string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw invalid(`${name} must be a list of strings.`);
  }
  return value as string[];
}

function optionalText(value: unknown, name: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "string" || value.length > 200) {
    throw invalid(`${name} must be text of at most 200 characters.`);
  }
  return { [name]: value };
}

function invalid(message: string): WritError {
  return new WritError("oauth.invalid_client_metadata", message);
}

function invalidRedirect(message: string): WritError {
  return new WritError("oauth.invalid_client_metadata", message, { name: "redirect_uris" });
}
