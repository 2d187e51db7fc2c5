import type { ToolActionResolver } from "@writ/core";
import type { Tool } from "../shared/mcp-sdk.js";
import { withoutWritMeta } from "../shared/writ-meta.js";
import type { GatewayEvent } from "./gateway-event.js";
import type { Upstream } from "./upstream.js";

/** A tool the gateway serves: where it lives and the action a call to it performs. */
export interface CatalogEntry {
  readonly upstream: Upstream;
  readonly action: string;
  /** The upstream's definition, without any `dev.writ/` key an upstream might try to announce. */
  readonly tool: Tool;
}

/**
 * The gateway's tools: every upstream's list, each tool mapped to its action
 * (`<upstream>.<tool>` unless configured). A name two upstreams share is
 * served by the one configured first; tools that need task-based execution,
 * which the gateway does not relay, and tools with no valid action are left out.
 */
export class ToolCatalog {
  readonly #upstreams: readonly {
    readonly upstream: Upstream;
    readonly actions: ToolActionResolver;
  }[];
  readonly #onEvent: (event: GatewayEvent) => void;
  #entries = new Map<string, CatalogEntry>();
  #versions = "";

  constructor(
    upstreams: readonly { readonly upstream: Upstream; readonly actions: ToolActionResolver }[],
    onEvent: (event: GatewayEvent) => void,
  ) {
    this.#upstreams = upstreams;
    this.#onEvent = onEvent;
  }

  entry(name: string): CatalogEntry | undefined {
    return this.#index().get(name);
  }

  entries(): Iterable<CatalogEntry> {
    return this.#index().values();
  }

  #index(): Map<string, CatalogEntry> {
    const versions = this.#upstreams.map(({ upstream }) => upstream.version).join(",");
    if (versions === this.#versions) return this.#entries;
    const entries = new Map<string, CatalogEntry>();
    for (const { upstream, actions } of this.#upstreams) {
      for (const tool of upstream.tools) {
        if (tool.execution?.taskSupport === "required") continue;
        const action = actions.findAction(tool.name);
        if (action === undefined) {
          this.#onEvent({ type: "tool.unmapped", tool: tool.name, upstream: upstream.name });
          continue;
        }
        const served = entries.get(tool.name);
        if (served) {
          this.#onEvent({
            type: "tool.shadowed",
            tool: tool.name,
            upstream: upstream.name,
            by: served.upstream.name,
          });
          continue;
        }
        const meta = withoutWritMeta(tool._meta);
        const { _meta: _dropped, ...definition } = tool;
        entries.set(tool.name, {
          upstream,
          action,
          tool: meta === undefined ? definition : { ...definition, _meta: meta },
        });
      }
    }
    this.#entries = entries;
    this.#versions = versions;
    return entries;
  }
}
