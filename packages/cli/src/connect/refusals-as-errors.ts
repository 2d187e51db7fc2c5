/** A fetch as MCP transports take it. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** The JSON-RPC error code a refusal of the gateway's reaches the local client with (the implementation-defined range). */
export const GATEWAY_REFUSED = -32000;

/**
 * A fetch that answers the gateway's HTTP refusal of a request (401 for a
 * writ or proof it does not accept, 403 for a writ without the action, 503
 * when it cannot decide, any other error status) as a JSON-RPC error for that
 * request, so the local client, which knows nothing of HTTP, gets an answer
 * it can show, with the error code and the action. Other responses pass as
 * they are.
 */
export function refusalsAsErrors(send: FetchLike): FetchLike {
  return async (input, init) => {
    const response = await send(input, init);
    if (response.ok || init?.method !== "POST") return response;
    const request = requestIn(init.body);
    if (request === undefined) return response;
    const body = await response.text();
    const error = errorFor(response, body);
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: request.id, error }), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
}

function errorFor(response: Response, body: string): Record<string, unknown> {
  const challenge = response.headers.get("www-authenticate") ?? "";
  const code = parameter(challenge, "error_description") ?? jsonRpcCode(body);
  const scope = parameter(challenge, "scope");
  const data = {
    status: response.status,
    ...(code === undefined ? {} : { code }),
    ...(scope === undefined ? {} : { action: scope }),
  };
  const because = code === undefined ? "" : ` (${code})`;
  const message =
    response.status === 403 && scope !== undefined
      ? `Denied: the agent's writ does not hold ${scope}${because}.`
      : response.status === 401
        ? `Denied: the gateway did not accept the agent's writ or proof${because}.`
        : response.status === 503
          ? `The gateway cannot decide right now${because}; try again later.`
          : (jsonRpcMessage(body) ?? `The gateway answered HTTP ${response.status}${because}.`);
  return { code: GATEWAY_REFUSED, message, data };
}

function requestIn(body: unknown): { id: string | number } | undefined {
  const message = parsed(typeof body === "string" ? body : "");
  const id = message?.id;
  return typeof message?.method === "string" && (typeof id === "string" || typeof id === "number")
    ? { id }
    : undefined;
}

function parameter(challenge: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1];
}

function jsonRpcError(body: string): Record<string, unknown> | undefined {
  const error = parsed(body)?.error;
  return error !== null && typeof error === "object"
    ? (error as Record<string, unknown>)
    : undefined;
}

function jsonRpcMessage(body: string): string | undefined {
  const message = jsonRpcError(body)?.message;
  return typeof message === "string" ? message : undefined;
}

function jsonRpcCode(body: string): string | undefined {
  const data = jsonRpcError(body)?.data as { code?: unknown } | undefined;
  return typeof data?.code === "string" ? data.code : undefined;
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object"
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
