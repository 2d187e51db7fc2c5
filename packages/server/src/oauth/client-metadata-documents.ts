import { lookup } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { WritError } from "@writ/core";
import { checkRedirectUri, type OAuthClient } from "./oauth-clients.js";

const MAX_BYTES = 5 * 1024;
const TIMEOUT_MS = 5000;
const CACHE_MS = 5 * 60_000;
const MAX_CACHED = 1000;

/** Addresses a metadata document is never fetched from: loopback, private, link-local, shared, multicast, unspecified. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");
}

/** Whether an address is one a server on the internet has. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // An IPv4-mapped IPv6 address is as public as the IPv4 address it maps.
  if (/^::ffff:/i.test(address)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped !== undefined && isPublicAddress(mapped);
  }
  return !NOT_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Client ID Metadata Documents (the MCP authorization spec): a client whose
 * `client_id` is an https URL is described by the JSON document at that URL.
 * The fetch is guarded against server-side request forgery: https only, the
 * address checked where the connection is made (so a DNS answer cannot swap
 * in a private address after a check), no redirects, 5 s and 5 KiB at most.
 * `allowPrivateAddresses` lifts the address and https rules, for tests and
 * development only. Documents are cached for 5 minutes.
 */
export class ClientMetadataDocuments {
  readonly #allowPrivate: boolean;
  readonly #clock: () => number;
  readonly #cache = new Map<string, { client: OAuthClient; until: number }>();

  constructor(options: { readonly allowPrivateAddresses: boolean; readonly clock: () => number }) {
    this.#allowPrivate = options.allowPrivateAddresses;
    this.#clock = options.clock;
  }

  /** Whether a client id names a metadata document rather than a registration. */
  static names(clientId: string): boolean {
    return clientId.startsWith("https://") || clientId.startsWith("http://");
  }

  async resolve(clientId: string): Promise<OAuthClient> {
    const cached = this.#cache.get(clientId);
    if (cached && cached.until > this.#clock()) return cached.client;
    const url = this.#checkUrl(clientId);
    const document = await this.#fetch(url);
    const client = clientFrom(document, clientId, Math.floor(this.#clock() / 1000));
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    this.#cache.set(clientId, { client, until: this.#clock() + CACHE_MS });
    return client;
  }

  #checkUrl(clientId: string): URL {
    if (!URL.canParse(clientId)) throw invalid("The client_id is not a URL.");
    const url = new URL(clientId);
    if (url.protocol !== "https:" && !(this.#allowPrivate && url.protocol === "http:")) {
      throw invalid("A client metadata document must be served over https.");
    }
    if (url.pathname === "/" || url.hash !== "" || url.username !== "" || url.password !== "") {
      throw invalid(
        "A client metadata document's URL needs a path, and no fragment or credentials.",
      );
    }
    if (isIP(url.hostname.replace(/^\[|\]$/g, "")) !== 0 && !this.#allowPrivate) {
      if (!isPublicAddress(url.hostname.replace(/^\[|\]$/g, ""))) {
        throw invalid("A client metadata document is never fetched from a private address.");
      }
    }
    return url;
  }

  #fetch(url: URL): Promise<unknown> {
    const allowPrivate = this.#allowPrivate;
    // The address is checked when the connection is made: what is checked is what is used.
    const guardedLookup: LookupFunction = (hostname, options, callback) => {
      lookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, "", 4);
        const usable = addresses.filter((entry) => allowPrivate || isPublicAddress(entry.address));
        if (usable.length === 0) {
          return callback(
            Object.assign(new Error("no public address"), { code: "ENOTFOUND" }),
            "",
            4,
          );
        }
        if (options.all) return callback(null, usable as never, 4);
        const first = usable[0] as { address: string; family: number };
        return callback(null, first.address, first.family);
      });
    };
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (message: string) => reject(invalid(message));
      const outgoing = request(
        url,
        {
          method: "GET",
          headers: { accept: "application/json" },
          lookup: guardedLookup,
          timeout: TIMEOUT_MS,
        },
        (response) => {
          if (response.statusCode !== 200) {
            response.resume();
            return fail(
              `The client metadata document answered ${response.statusCode} (redirects are not followed).`,
            );
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BYTES) {
              outgoing.destroy();
              return fail(`The client metadata document is larger than ${MAX_BYTES} bytes.`);
            }
            chunks.push(chunk);
          });
          response.on("end", () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
            } catch {
              fail("The client metadata document is not JSON.");
            }
          });
          response.on("error", () => fail("The client metadata document could not be read."));
        },
      );
      outgoing.on("timeout", () => {
        outgoing.destroy();
        fail("The client metadata document did not arrive in time.");
      });
      outgoing.on("error", () =>
        fail("The client metadata document could not be fetched from a public address."),
      );
      outgoing.end();
    });
  }
}

function clientFrom(document: unknown, clientId: string, now: number): OAuthClient {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw invalid("The client metadata document must be a JSON object.");
  }
  const fields = document as Record<string, unknown>;
  if (fields.client_id !== clientId) {
    throw invalid("The client metadata document's client_id is not its own URL.");
  }
  const method = fields.token_endpoint_auth_method;
  if (method !== undefined && method !== "none") {
    throw invalid(
      "Only public clients (token_endpoint_auth_method none, with PKCE) are supported.",
    );
  }
  const redirects = fields.redirect_uris;
  if (!Array.isArray(redirects) || redirects.length === 0 || redirects.length > 10) {
    throw invalid("The client metadata document must list 1 to 10 redirect_uris.");
  }
  return {
    client_id: clientId,
    ...(typeof fields.client_name === "string" && fields.client_name.length <= 200
      ? { client_name: fields.client_name }
      : {}),
    redirect_uris: redirects.map((uri) => checkRedirectUri(uri)),
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    client_id_issued_at: now,
  };
}

function invalid(message: string): WritError {
  return new WritError("oauth.invalid_client", message);
}
