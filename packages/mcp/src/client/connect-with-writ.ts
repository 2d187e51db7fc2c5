import type { Session, ToolActions } from "@writ/core";
import {
  connectHttpClient,
  type FetchLike,
  interceptClient,
  type McpClientLike,
} from "../shared/mcp-sdk.js";
import { ActionBook, type ListedKind } from "./action-book.js";
import { sessionSource } from "./session-source.js";
import { signingFetch } from "./writ-fetch.js";

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
 * request the guard decides (tools/call; through a gateway also prompts/get,
 * resources/read and resources/subscribe) a `DPoP` proof signed for exactly
 * that request and bound to the method and URL (writFetch's signing, with the
 * actions learnt from the server's lists before a call needs them).
 */
export async function connectWithWrit(
  client: McpClientLike,
  url: string | URL,
  options: ConnectWithWritOptions,
): Promise<void> {
  const endpoint = new URL(url);
  const audience = options.audience ?? `${endpoint.origin}${endpoint.pathname}`;
  const session = sessionSource(options.session, "connectWithWrit");
  const book = new ActionBook(options.actions, "connectWithWrit");
  interceptClient(client, "connectWithWrit", {
    // The proof is signed in fetch, from the request body; it needs the action first.
    async before(method, params) {
      if (!book.knows(method, params)) await book.learnFrom(client, LISTED_BY[method] ?? "tools");
      if (method.startsWith("resources/") && !book.knows(method, params)) {
        await book.learnFrom(client, "resourceTemplates");
      }
    },
    listed: (kind, items) => book.learn(kind, items),
  });
  const send = signingFetch(session, book, {
    audience,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  await connectHttpClient(client, endpoint, send);
}

/** Where the action of what a request names is announced. */
const LISTED_BY: Readonly<Record<string, ListedKind>> = {
  "tools/call": "tools",
  "prompts/get": "prompts",
  "resources/read": "resources",
  "resources/subscribe": "resources",
};
