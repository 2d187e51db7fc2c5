import {
  isAction,
  mappedAction,
  type ToolActionResolver,
  type ToolActions,
  toolActionResolver,
} from "@writ/core";
import type { ListedKind, McpClientLike } from "../shared/mcp-sdk.js";
import { isRecord, type ListedItem } from "../shared/mcp-types.js";
import { uriTemplateMatches, uriTemplatePrefix } from "../shared/uri-template.js";
import { WRIT_META } from "../shared/writ-meta.js";

/** What a server lists, by the method that lists it. */
export type { ListedKind } from "../shared/mcp-sdk.js";

type ListPage = (params: { cursor?: string }) => Promise<{ nextCursor?: string }>;

/**
 * What a client knows of the action each tool, prompt and resource
 * performs, which its proofs must name: for tools the caller's own mapping
 * first, then what the server announced in its lists (`dev.writ/action`),
 * then the name (`/` read as `.`); for prompts and resources what the server
 * announced (a resource by its URI, or by the template it matches).
 */
export class ActionBook {
  readonly #explicit: ToolActions | undefined;
  readonly #resolver: ToolActionResolver;
  readonly #tools = new Map<string, string>();
  readonly #prompts = new Map<string, string>();
  readonly #resources = new Map<string, string>();
  readonly #templates = new Map<string, string>();

  constructor(actions: ToolActions | undefined, where: string) {
    this.#resolver = toolActionResolver(actions, { where });
    this.#explicit = actions;
  }

  learn(kind: ListedKind, items: readonly ListedItem[]): void {
    const book = {
      tools: [this.#tools, "name"],
      prompts: [this.#prompts, "name"],
      resources: [this.#resources, "uri"],
      resourceTemplates: [this.#templates, "uriTemplate"],
    } as const;
    const [into, key] = book[kind];
    for (const item of items) {
      const action = item._meta?.[WRIT_META.action];
      const name = item[key];
      if (isAction(action) && typeof name === "string") into.set(name, action);
    }
  }

  /**
   * Lists every page through the client's own method (whose results feed
   * learn()). Best effort: a server that lists nothing leaves the defaults,
   * and a wrong action is refused by the server, never mapped silently.
   */
  async learnFrom(client: McpClientLike, kind: ListedKind): Promise<void> {
    const method = {
      tools: "listTools",
      prompts: "listPrompts",
      resources: "listResources",
      resourceTemplates: "listResourceTemplates",
    }[kind];
    const list = (client as unknown as Record<string, ListPage | undefined>)[method];
    if (typeof list !== "function") return;
    let cursor: string | undefined;
    try {
      do {
        const page = await list.call(client, cursor === undefined ? {} : { cursor });
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    } catch {
      // Nothing learnt: the defaults stand.
    }
  }

  /** What the server said the request's proof must name (its refusal of a proof for another action). */
  remember(message: Record<string, unknown>, action: string): void {
    if (!isRecord(message.params)) return;
    const { method, params } = message;
    if (method === "tools/call" && typeof params.name === "string")
      this.#tools.set(params.name, action);
    else if (method === "prompts/get" && typeof params.name === "string")
      this.#prompts.set(params.name, action);
    else if (typeof params.uri === "string") this.#resources.set(params.uri, action);
  }

  /** Whether the action of what a request names is known without asking the server. */
  knows(method: string, params: Record<string, unknown>): boolean {
    if (method === "tools/call" && typeof params.name === "string") {
      return (
        mappedAction(this.#explicit, params.name) !== undefined || this.#tools.has(params.name)
      );
    }
    if (method === "prompts/get" && typeof params.name === "string")
      return this.#prompts.has(params.name);
    if (typeof params.uri === "string") return this.#resourceAction(params.uri) !== undefined;
    return true;
  }

  /** The action of a tool; its name when nothing gives one (the server refuses a wrong one). */
  toolAction(tool: string): string {
    return this.#resolver.findAction(tool, this.#tools.get(tool)) ?? tool;
  }

  promptAction(prompt: string): string {
    return this.#prompts.get(prompt) ?? prompt.replaceAll("/", ".");
  }

  resourceAction(uri: string): string {
    return this.#resourceAction(uri) ?? "resources.read";
  }

  /** A listed URI's action, else the most specific announced template it matches, else the one resource action announced. */
  #resourceAction(uri: string): string | undefined {
    const listed = this.#resources.get(uri);
    if (listed !== undefined) return listed;
    const matching = [...this.#templates]
      .filter(([template]) => uriTemplateMatches(template, uri))
      .sort(([a], [b]) => uriTemplatePrefix(b).length - uriTemplatePrefix(a).length);
    if (matching[0] !== undefined) return matching[0][1];
    const distinct = new Set([...this.#resources.values(), ...this.#templates.values()]);
    return distinct.size === 1 ? [...distinct][0] : undefined;
  }
}

/** What a proof for a request must name, by the gateway's rule, or undefined when the request needs none. */
export function proofSubject(
  message: unknown,
  book: ActionBook,
): { action: string; tool: string; args: unknown } | undefined {
  if (!isRecord(message) || !isRecord(message.params)) return undefined;
  const { method, params } = message;
  if (method === "tools/call" && typeof params.name === "string") {
    return {
      action: book.toolAction(params.name),
      tool: params.name,
      args: params.arguments ?? {},
    };
  }
  if (method === "prompts/get" && typeof params.name === "string") {
    return {
      action: book.promptAction(params.name),
      tool: params.name,
      args: params.arguments ?? {},
    };
  }
  if (
    (method === "resources/read" || method === "resources/subscribe") &&
    typeof params.uri === "string"
  ) {
    return { action: book.resourceAction(params.uri), tool: method, args: { uri: params.uri } };
  }
  return undefined;
}
