import { propagateTrace, type Session, type ToolActions } from "@writ/core";
import { createParser } from "eventsource-parser";
import { actionToSignFor, dpopAuthorization } from "../shared/http-carriage.js";
import type { FetchLike } from "../shared/mcp-sdk.js";
import { isRecord } from "../shared/mcp-types.js";
import { ActionBook, type ListedKind, proofSubject } from "./action-book.js";
import { sessionSource } from "./session-source.js";

export interface WritFetchOptions {
  /** The session whose writ every request carries and whose key signs each proof; a function to pick up renewed sessions. */
  readonly session: Session | (() => Session);
  /**
   * The audience proofs are addressed to. Default: the URL each request is
   * sent to (without query), which is what a Writ gateway's guard uses.
   */
  readonly audience?: string;
  /** Tool → action, where the server does not announce it in tools/list. */
  readonly actions?: ToolActions;
  /** The fetch to send requests with. Default: the global fetch. */
  readonly fetch?: FetchLike;
}

/**
 * A `fetch` for any MCP client's Streamable HTTP transport that makes it
 * carry a writ to a Writ gateway: every request gets `Authorization: DPoP
 * <writ>`, and every request the gateway guards (tools/call, prompts/get,
 * resources/read, resources/subscribe) a `DPoP` proof signed for exactly that
 * request, bound to its method and URL. One client, one connection and one
 * MCP session serve every call. The action each proof names is learnt from
 * the lists the client fetches through it (`dev.writ/action`); for a tool the
 * lists do not show, the gateway's answer names the action and the request
 * is signed again for it, once.
 */
export function writFetch(options: WritFetchOptions): FetchLike {
  return signingFetch(
    sessionSource(options.session, "writFetch"),
    new ActionBook(options.actions, "writFetch"),
    options,
  );
}

/** writFetch's signing, with an action book its caller may also feed. */
export function signingFetch(
  session: () => Session,
  book: ActionBook,
  options: { readonly audience?: string; readonly fetch?: FetchLike },
): FetchLike {
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  return async (input, init) => {
    const url = new URL(String(input));
    const audience = options.audience ?? `${url.origin}${url.pathname}`;
    const message = init?.method === "POST" ? parse(init.body) : undefined;
    const signed = (subject: ReturnType<typeof proofSubject>): RequestInit => {
      const current = session();
      const headers = new Headers(init?.headers);
      headers.set("authorization", dpopAuthorization(current.writ.toString()));
      if (subject) {
        headers.set(
          "dpop",
          current.prove({ audience, ...subject, http: { method: "POST", url: url.href } }),
        );
      }
      // The caller's trace goes along (W3C traceparent), for a gateway to continue.
      const trace: Record<string, unknown> = {};
      propagateTrace(trace);
      for (const [name, value] of Object.entries(trace)) headers.set(name, String(value));
      return { ...init, headers };
    };
    const subject = proofSubject(message, book);
    const response = await send(input, signed(subject));
    if (subject === undefined) {
      const kind = isRecord(message) ? LISTS[String(message.method)] : undefined;
      return kind === undefined ? response : learnFrom(response, kind, book);
    }
    const action = actionToSignFor(response);
    if (action === undefined || action === subject.action || !isRecord(message)) return response;
    await response.body?.cancel();
    book.remember(message, action);
    return send(input, signed({ ...subject, action }));
  };
}

/** The lists that announce actions, by the request method that fetches them. */
const LISTS: Readonly<Record<string, ListedKind>> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};

/**
 * Reads a list's answer (JSON or an event stream) into the book before the
 * client sees it, so the calls it makes next are signed for the announced
 * actions. The client gets the same answer.
 */
async function learnFrom(
  response: Response,
  kind: ListedKind,
  book: ActionBook,
): Promise<Response> {
  if (!response.ok || response.body === null) return response;
  const text = await response.text();
  const learn = (data: string) => {
    const answer = parse(data);
    const items = isRecord(answer) && isRecord(answer.result) ? answer.result[kind] : undefined;
    if (Array.isArray(items)) book.learn(kind, items.filter(isRecord));
  };
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    const parser = createParser({ onEvent: (event) => learn(event.data) });
    parser.feed(text);
  } else learn(text);
  return new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** The JSON-RPC message in a body a client is about to send, if it is one. */
function parse(body: unknown): unknown {
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
