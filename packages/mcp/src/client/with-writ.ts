import type { Session, ToolActions } from "@writ/core";
import { interceptClient, type McpClientLike, type OutgoingMessage } from "../shared/mcp-sdk.js";
import { isRecord } from "../shared/mcp-types.js";
import { WRIT_META } from "../shared/writ-meta.js";
import { ActionBook } from "./action-book.js";
import { sessionSource } from "./session-source.js";

export interface WithWritOptions {
  /** The session whose writ the client carries and whose key signs each proof; a function to pick up renewed sessions. */
  readonly session: Session | (() => Session);
  /**
   * The guard's audience, which every proof is addressed to. Take it from the
   * server's operator (it is `guard.audience` there), never from the server
   * itself: a server that could name it could collect proofs for another one.
   */
  readonly audience: string;
  /** Tool → action, where the server does not announce it in tools/list. */
  readonly actions?: ToolActions;
}

/**
 * Makes an MCP SDK Client (v1 or v2) carry Writ in `params._meta` (any
 * transport, for servers guarded with guardMcpServer): the writ on
 * tools/list, the writ and a fresh proof for exactly that call on every
 * tools/call it sends, retries included. Returns the same client.
 */
export function withWrit<C extends McpClientLike>(client: C, options: WithWritOptions): C {
  const { audience } = options;
  if (typeof audience !== "string" || audience.length === 0) {
    throw new TypeError(
      "withWrit needs the audience of the guard the server runs (guard.audience).",
    );
  }
  const session = sessionSource(options.session, "withWrit");
  const book = new ActionBook(options.actions, "withWrit");
  const carry = (message: OutgoingMessage): OutgoingMessage => {
    const params = isRecord(message.params) ? message.params : {};
    const meta = isRecord(params._meta) ? params._meta : {};
    const current = session();
    if (message.method === "tools/list") {
      return {
        ...message,
        params: { ...params, _meta: { ...meta, [WRIT_META.writ]: current.writ.toString() } },
      };
    }
    if (message.method !== "tools/call" || typeof params.name !== "string") return message;
    const args = params.arguments ?? {};
    const proof = current.prove({
      audience,
      action: book.toolAction(params.name),
      tool: params.name,
      args,
    });
    return {
      ...message,
      params: {
        ...params,
        arguments: args,
        _meta: { ...meta, [WRIT_META.writ]: current.writ.toString(), [WRIT_META.proof]: proof },
      },
    };
  };
  interceptClient(client, "withWrit", {
    // A server guarded in-process guards its tools: their actions are what proofs name.
    async before(method, params) {
      if (method === "tools/call" && !book.knows(method, params))
        await book.learnFrom(client, "tools");
    },
    listed: (kind, items) => book.learn(kind, items),
    outgoing: carry,
  });
  return client;
}
