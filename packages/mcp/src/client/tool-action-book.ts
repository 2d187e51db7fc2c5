import {
  isAction,
  mappedAction,
  type ToolActionResolver,
  type ToolActions,
  toolActionResolver,
} from "@writ/core";
import type { McpClientLike } from "../shared/mcp-sdk.js";
import type { Tool } from "../shared/mcp-types.js";
import { WRIT_META } from "../shared/writ-meta.js";

type ListTools = (params: { cursor?: string }) => Promise<{ nextCursor?: string }>;

/**
 * What a client knows of the action each tool performs, which its proofs must
 * name, by the adapters' one rule: the caller's own mapping first, then what
 * the server announced in tools/list, then the tool name (`/` read as `.`).
 */
export class ToolActionBook {
  readonly #explicit: ToolActions | undefined;
  readonly #resolver: ToolActionResolver;
  readonly #announced = new Map<string, string>();

  constructor(actions: ToolActions | undefined, where: string) {
    this.#resolver = toolActionResolver(actions, { where });
    this.#explicit = actions;
  }

  learn(tools: readonly Tool[]): void {
    for (const tool of tools) {
      const action = tool._meta?.[WRIT_META.action];
      if (isAction(action)) this.#announced.set(tool.name, action);
    }
  }

  /** Lists every page of tools through the client (whose listTools feeds learn()). */
  async learnFrom(client: McpClientLike): Promise<void> {
    const listTools = (client.listTools as ListTools).bind(client);
    let cursor: string | undefined;
    do {
      const page = await listTools(cursor === undefined ? {} : { cursor });
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** Whether the action is known without asking the server. */
  knows(tool: string): boolean {
    return mappedAction(this.#explicit, tool) !== undefined || this.#announced.has(tool);
  }

  /** The action to sign for; the tool name itself when it gives none (the server refuses a wrong one). */
  actionOf(tool: string): string {
    return this.#resolver.findAction(tool, this.#announced.get(tool)) ?? tool;
  }
}
