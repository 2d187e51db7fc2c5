import type { Session, ToolActions } from "@writ/core";
import { dpopAuthorization } from "../shared/http-carriage.js";
import {
  connectHttpClient,
  type FetchLike,
  interceptClient,
  type McpClientLike,
} from "../shared/mcp-sdk.js";
import { sessionSource } from "./session-source.js";
import { ToolActionBook } from "./tool-action-book.js";

export interface ConnectWithWritOptions {
  /** The session whose writ the client carries and whose key signs each proof; a function to pick up renewed sessions. */
  readonly session: Session | (() => Session);
  /**
   * The audience proofs are addressed to. Default: the endpoint URL itself,
   * which is what a Writ gateway's guard uses. Since each proof is also bound
   * to the URL it is sent to (`htu`), a server cannot reuse it elsewhere.
   */
  readonly audience?: string;
  /** Tool → action, where the server does not announce it in tools/list. */
  readonly actions?: ToolActions;
  /** The fetch to send requests with. Default: the global fetch. */
  readonly fetch?: FetchLike;
}

/**
 * Connects an MCP SDK Client (v1 or v2) to a Writ-guarded Streamable HTTP
 * endpoint (a Writ gateway, or an McpServer guarded with guardMcpServer over
 * HTTP): every request carries `Authorization: DPoP <writ>`, and every
 * tools/call a `DPoP` proof signed for exactly that call and bound to the
 * method and URL.
 */
export async function connectWithWrit(
  client: McpClientLike,
  url: string | URL,
  options: ConnectWithWritOptions,
): Promise<void> {
  const endpoint = new URL(url);
  const audience = options.audience ?? `${endpoint.origin}${endpoint.pathname}`;
  const session = sessionSource(options.session, "connectWithWrit");
  const book = new ToolActionBook(options.actions, "connectWithWrit");
  const send = options.fetch ?? fetch;
  interceptClient(client, "connectWithWrit", {
    // The proof is signed in fetch, from the request body; it needs the action first.
    async beforeCall(name) {
      if (!book.knows(name)) await book.learnFrom(client);
    },
    listed: (tools) => book.learn(tools),
  });
  const signingFetch: FetchLike = (input, init) => {
    const current = session();
    const headers = new Headers(init?.headers);
    headers.set("authorization", dpopAuthorization(current.writ.toString()));
    const toolCall = init?.method === "POST" ? toolCallIn(init.body) : undefined;
    if (toolCall) {
      headers.set(
        "dpop",
        current.prove({
          audience,
          action: book.actionOf(toolCall.name),
          tool: toolCall.name,
          args: toolCall.args,
          http: { method: "POST", url: String(input) },
        }),
      );
    }
    return send(input, { ...init, headers });
  };
  await connectHttpClient(client, endpoint, signingFetch);
}

/** The tools/call request in a JSON-RPC body the SDK is about to send, if there is one. */
function toolCallIn(body: unknown): { name: string; args: unknown } | undefined {
  if (typeof body !== "string") return undefined;
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== "object" || Array.isArray(message)) return undefined;
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (method !== "tools/call" || params === null || typeof params !== "object") return undefined;
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown };
  return typeof name === "string" ? { name, args: args ?? {} } : undefined;
}
