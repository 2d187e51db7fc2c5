import { isAction } from "@writ/core";
import type { Client, Tool } from "../shared/mcp-sdk.js";
import { type ActionMap, assertActionMap, toolAction } from "../shared/tool-actions.js";
import { WRIT_META } from "../shared/writ-meta.js";

/**
 * What a client knows of the action each tool performs, which its proofs must
 * name: the caller's own table first, then what the server announced in
 * tools/list, then the tool name itself.
 */
export class ToolActionBook {
  readonly #explicit: ActionMap | undefined;
  readonly #announced = new Map<string, string>();

  constructor(actions: ActionMap | undefined, where: string) {
    assertActionMap(actions, where);
    this.#explicit = actions;
  }

  learn(tools: readonly Tool[]): void {
    for (const tool of tools) {
      const action = tool._meta?.[WRIT_META.action];
      if (isAction(action)) this.#announced.set(tool.name, action);
    }
  }

  /** Lists every page of tools through the client (whose listTools feeds learn()). */
  async learnFrom(client: Client): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** Whether the action is known without asking the server. */
  knows(tool: string): boolean {
    return this.#configured(tool) !== undefined || this.#announced.has(tool);
  }

  /** The action to sign for; the tool name itself when nothing else is known (the server refuses a wrong one). */
  actionOf(tool: string): string {
    return this.#configured(tool) ?? this.#announced.get(tool) ?? toolAction(tool) ?? tool;
  }

  #configured(tool: string): string | undefined {
    if (this.#explicit === undefined) return undefined;
    return typeof this.#explicit === "function"
      ? this.#explicit(tool)
      : Object.hasOwn(this.#explicit, tool)
        ? this.#explicit[tool]
        : undefined;
  }
}
