import type { Session, ToolActions } from "@writ/core";
import { type Client, interceptClientTools } from "../shared/mcp-sdk.js";
import { WRIT_META } from "../shared/writ-meta.js";
import { sessionSource } from "./session-source.js";
import { ToolActionBook } from "./tool-action-book.js";

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
 * Makes an SDK Client carry Writ in `params._meta` (any transport, for servers
 * guarded with guardMcpServer): the writ on tools/list, the writ and a fresh
 * proof for exactly that call on every callTool. Returns the same client.
 */
export function withWrit<C extends Client>(client: C, options: WithWritOptions): C {
  const { audience } = options;
  if (typeof audience !== "string" || audience.length === 0) {
    throw new TypeError(
      "withWrit needs the audience of the guard the server runs (guard.audience).",
    );
  }
  const session = sessionSource(options.session, "withWrit");
  const book = new ToolActionBook(options.actions, "withWrit");
  interceptClientTools(client, {
    async list(params, next) {
      const result = await next({
        ...params,
        _meta: { ...params?._meta, [WRIT_META.writ]: session().writ.toString() },
      });
      book.learn(result.tools);
      return result;
    },
    async call(params, next) {
      if (!book.knows(params.name)) await book.learnFrom(client);
      const current = session();
      const args = params.arguments ?? {};
      const proof = current.prove({
        audience,
        action: book.actionOf(params.name),
        tool: params.name,
        args,
      });
      return next({
        ...params,
        arguments: args,
        _meta: {
          ...params._meta,
          [WRIT_META.writ]: current.writ.toString(),
          [WRIT_META.proof]: proof,
        },
      });
    },
  });
  return client;
}
