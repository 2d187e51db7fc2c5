import type { ToolActionResolver } from "@writ/core";
import { type ParamHeader, paramHeadersOf } from "../shared/mcp-headers.js";
import { isRecord, type ListedItem, type Tool } from "../shared/mcp-types.js";
import { uriTemplateMatches } from "../shared/uri-template.js";
import { withoutWritMeta } from "../shared/writ-meta.js";
import { ArgumentSchema } from "./argument-schema.js";
import type { GatewayEvent } from "./gateway-event.js";
import type { Upstream } from "./upstream.js";

/** An upstream with how its tools, prompts and resources map to actions. */
export interface CatalogUpstream {
  readonly upstream: Upstream;
  /** Tool name → action; a tool with none is left out. */
  readonly tools: ToolActionResolver;
  /** Prompt name → action; a prompt with none is left out. */
  readonly prompts: ToolActionResolver;
  /** The action reading (and subscribing to) any of its resources performs, with `{ uri }` as arguments. */
  readonly resourceAction: string;
  /** Check each tool call's arguments against the tool's published input schema. */
  readonly validateArguments: boolean;
}

export interface ToolEntry {
  readonly upstream: Upstream;
  readonly action: string;
  /** The upstream's definition, without any `dev.writ/` key an upstream might try to announce. */
  readonly tool: Tool;
  /** Arguments the tool mirrors into `Mcp-Param-*` headers (2026-07-28). */
  readonly paramHeaders: readonly ParamHeader[];
  /** Its input schema, compiled, when its upstream's calls are checked against it. */
  readonly argumentSchema?: ArgumentSchema;
}

export interface PromptEntry {
  readonly upstream: Upstream;
  readonly action: string;
  readonly prompt: ListedItem;
}

export interface ResourceHome {
  readonly upstream: Upstream;
  readonly action: string;
}

interface Index {
  readonly tools: Map<string, ToolEntry>;
  readonly prompts: Map<string, PromptEntry>;
  /** Listed resources by URI, and templates in configuration order, each with its upstream. */
  readonly resources: Map<string, { readonly home: ResourceHome; readonly resource: ListedItem }>;
  readonly templates: readonly { readonly home: ResourceHome; readonly template: ListedItem }[];
}

/**
 * What the gateway serves: every upstream's tools, prompts, resources and
 * resource templates, each mapped to the action a call to it performs.
 * Tools perform `<upstream>.<tool>` and prompts `<upstream>.prompts.<name>`
 * unless configured; resources one action per upstream
 * (`<upstream>.resources.read`), with the URI as the argument conditions
 * judge. A name (or URI) two upstreams share is served by the one configured
 * first. Tools that need task-based execution, tools and prompts with no
 * valid action, tools with invalid `x-mcp-header` annotations and, where
 * arguments are validated, tools whose input schema cannot be used are left out.
 */
export class GatewayCatalog {
  readonly #upstreams: readonly CatalogUpstream[];
  readonly #onEvent: (event: GatewayEvent) => void;
  #index: Index | undefined;
  #versions = "";

  constructor(upstreams: readonly CatalogUpstream[], onEvent: (event: GatewayEvent) => void) {
    this.#upstreams = upstreams;
    this.#onEvent = onEvent;
  }

  tool(name: string): ToolEntry | undefined {
    return this.#current().tools.get(name);
  }

  tools(): Iterable<ToolEntry> {
    return this.#current().tools.values();
  }

  prompt(name: string): PromptEntry | undefined {
    return this.#current().prompts.get(name);
  }

  prompts(): Iterable<PromptEntry> {
    return this.#current().prompts.values();
  }

  resources(): Iterable<{ readonly home: ResourceHome; readonly resource: ListedItem }> {
    return this.#current().resources.values();
  }

  templates(): readonly { readonly home: ResourceHome; readonly template: ListedItem }[] {
    return this.#current().templates;
  }

  /**
   * The upstream serving a URI: the one that listed it, else the first whose
   * template matches it, else the only upstream that offers resources at all.
   */
  resourceHome(uri: string): ResourceHome | undefined {
    const index = this.#current();
    const listed = index.resources.get(uri);
    if (listed) return listed.home;
    const templated = index.templates.find(({ template }) =>
      uriTemplateMatches(String(template.uriTemplate), uri),
    );
    if (templated) return templated.home;
    const offering = this.#upstreams.filter(({ upstream }) =>
      isRecord(upstream.offer.capabilities.resources),
    );
    const [only] = offering;
    return offering.length === 1 && only
      ? { upstream: only.upstream, action: only.resourceAction }
      : undefined;
  }

  /** The upstream and action behind a resource template, by its exact `uriTemplate`. */
  templateHome(uriTemplate: string): ResourceHome | undefined {
    return this.#current().templates.find(({ template }) => template.uriTemplate === uriTemplate)
      ?.home;
  }

  /** Whether any upstream offers this capability (tools, prompts, resources, completions, logging). */
  offers(capability: string): boolean {
    return this.#upstreams.some(({ upstream }) =>
      isRecord(upstream.offer.capabilities[capability]),
    );
  }

  /** Whether any upstream offering `capability` announces `feature` (listChanged, subscribe). */
  offersFeature(capability: string, feature: string): boolean {
    return this.#upstreams.some(({ upstream }) => {
      const offered = upstream.offer.capabilities[capability];
      return isRecord(offered) && offered[feature] === true;
    });
  }

  #current(): Index {
    const versions = this.#upstreams.map(({ upstream }) => upstream.version).join(",");
    if (this.#index !== undefined && versions === this.#versions) return this.#index;
    this.#index = this.#build();
    this.#versions = versions;
    return this.#index;
  }

  #build(): Index {
    const tools = new Map<string, ToolEntry>();
    const prompts = new Map<string, PromptEntry>();
    const resources = new Map<string, { home: ResourceHome; resource: ListedItem }>();
    const templates: { home: ResourceHome; template: ListedItem }[] = [];
    for (const {
      upstream,
      tools: toolActions,
      prompts: promptActions,
      resourceAction,
      validateArguments,
    } of this.#upstreams) {
      const { offer, name: from } = upstream;
      for (const listed of offer.tools) {
        if (listed.execution?.taskSupport === "required") continue;
        const action = toolActions.findAction(listed.name);
        if (action === undefined) {
          this.#onEvent({ type: "tool.unmapped", tool: listed.name, upstream: from });
          continue;
        }
        const paramHeaders = paramHeadersOf(listed.inputSchema);
        if (typeof paramHeaders === "string") {
          this.#onEvent({
            type: "tool.invalid",
            tool: listed.name,
            upstream: from,
            reason: paramHeaders,
          });
          continue;
        }
        const argumentSchema = validateArguments
          ? ArgumentSchema.compile(listed.inputSchema)
          : undefined;
        if (typeof argumentSchema === "string") {
          this.#onEvent({
            type: "tool.invalid",
            tool: listed.name,
            upstream: from,
            reason: argumentSchema,
          });
          continue;
        }
        const served = tools.get(listed.name);
        if (served) {
          this.#onEvent({
            type: "tool.shadowed",
            tool: listed.name,
            upstream: from,
            by: served.upstream.name,
          });
          continue;
        }
        tools.set(listed.name, {
          upstream,
          action,
          tool: cleaned(listed),
          paramHeaders,
          ...(argumentSchema === undefined ? {} : { argumentSchema }),
        });
      }
      for (const listed of offer.prompts) {
        const name = String(listed.name);
        const action = promptActions.findAction(name);
        if (action === undefined) continue;
        const served = prompts.get(name);
        if (served) {
          this.#onEvent({
            type: "prompt.shadowed",
            name,
            upstream: from,
            by: served.upstream.name,
          });
          continue;
        }
        prompts.set(name, { upstream, action, prompt: cleaned(listed) });
      }
      const home = { upstream, action: resourceAction };
      for (const listed of offer.resources) {
        const uri = String(listed.uri);
        const served = resources.get(uri);
        if (served) {
          this.#onEvent({
            type: "resource.shadowed",
            name: uri,
            upstream: from,
            by: served.home.upstream.name,
          });
          continue;
        }
        resources.set(uri, { home, resource: cleaned(listed) });
      }
      for (const listed of offer.templates) templates.push({ home, template: cleaned(listed) });
    }
    return { tools, prompts, resources, templates };
  }
}

/** A listed item without any `dev.writ/` key: an upstream cannot speak for Writ. */
function cleaned<T extends ListedItem>(item: T): T {
  const meta = withoutWritMeta(item._meta);
  const { _meta: _dropped, ...definition } = item;
  return (meta === undefined ? definition : { ...definition, _meta: meta }) as T;
}
