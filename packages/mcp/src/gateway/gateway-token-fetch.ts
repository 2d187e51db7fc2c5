import type { FetchLike } from "../shared/mcp-sdk.js";
import type { DownstreamTokens } from "./downstream-tokens.js";

/**
 * The fetch for the gateway's own requests to an HTTP upstream (initialize,
 * tools/list, its event stream): they carry the gateway's token, which names
 * no user. Calls carry a token minted for each, on their own request.
 */
export function gatewayTokenFetch(tokens: DownstreamTokens, audience: string): FetchLike {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${tokens.forGateway(audience)}`);
    return fetch(input, { ...init, headers });
  };
}
