import { randomUUID } from "node:crypto";
import type { Call, Guard } from "@writ/core";
import { decisionResult, failureResult } from "../shared/decision-result.js";
import { proofFromDpopHeader, writFromAuthorization } from "../shared/http-carriage.js";
import {
  interceptToolRequests,
  type McpServer,
  type RequestContext,
  type Tool,
} from "../shared/mcp-sdk.js";
import { runAllowed } from "../shared/run-allowed.js";
import { type ActionMap, assertActionMap, toolAction } from "../shared/tool-actions.js";
import { readMetaCredentials, WRIT_META } from "../shared/writ-meta.js";

export interface GuardMcpServerOptions {
  /** The guard that decides every call. Clients sign proofs for `guard.audience`. */
  readonly guard: Guard;
  /** Tool name → action. Default: the tool name, `/` read as `.` (a tool whose name is no action is refused). */
  readonly actions?: ActionMap;
  /**
   * The public URL of this server's MCP endpoint, which proofs sent in the
   * `DPoP` header must be bound to (`htu`). Default: the URL each HTTP request
   * arrived at. Only used for HTTP carriage.
   */
  readonly resource?: string;
}

const guarded = new WeakSet<McpServer>();

/**
 * Guards every tool of an McpServer, whether registered before or after this
 * call: each tools/call is authorized by the guard (writ and proof from
 * `params._meta`, or from `Authorization: DPoP` and `DPoP` over HTTP) before
 * the tool runs, a refusal comes back as an `isError` result with the guard's
 * model-safe message, and tools/list shows each caller only the tools its writ
 * could ever use. Returns the same server.
 */
export function guardMcpServer(server: McpServer, options: GuardMcpServerOptions): McpServer {
  const { guard, actions, resource } = options;
  if (!guard || typeof guard.authorize !== "function") {
    throw new TypeError("guardMcpServer needs { guard }: a Guard from createGuard().");
  }
  assertActionMap(actions, "guardMcpServer");
  if (resource !== undefined && !URL.canParse(resource)) {
    throw new TypeError("guardMcpServer: resource must be the absolute URL of the MCP endpoint.");
  }
  if (guarded.has(server)) throw new TypeError("This McpServer is already guarded.");
  interceptToolRequests(server, {
    async list(context, next) {
      const listed = await next();
      const writ = credentialsOf(context, resource).writ;
      return { ...listed, tools: usableTools(guard, writ, listed.tools, actions) };
    },
    async call(raw, context, next) {
      // A malformed request gets the SDK's own invalid-params answer; nothing runs.
      if (typeof raw.name !== "string") return next();
      const action = toolAction(raw.name, actions);
      if (action === undefined) {
        return failureResult(
          `The tool "${raw.name}" is not mapped to a Writ action, so it cannot be authorized.`,
          "tool.unmapped",
        );
      }
      const { writ, proof, approvalId, http } = credentialsOf(context, resource);
      const call: Call = {
        action,
        tool: raw.name,
        args: raw.arguments ?? {},
        callId: randomUUID(),
        writ,
        proof,
        adapter: "mcp",
        ...(approvalId === undefined ? {} : { approvalId }),
        ...(http === undefined ? {} : { http }),
      };
      const decision = await guard.authorize(call);
      if (decision.effect !== "allow") return decisionResult(decision);
      return runAllowed(guard, decision, call, next);
    },
  });
  guarded.add(server);
  return server;
}

interface Credentials {
  readonly writ: string;
  readonly proof: string;
  readonly approvalId?: string;
  readonly http?: { readonly method: string; readonly url: string };
}

/**
 * The writ and proof a request carries: in `_meta` on any transport, else in
 * the HTTP headers, where the proof must then be bound to the request.
 * Nothing found means empty credentials, which the guard denies.
 */
function credentialsOf(context: RequestContext, resource: string | undefined): Credentials {
  const meta = readMetaCredentials(context.meta);
  const approval = meta.approvalId === undefined ? {} : { approvalId: meta.approvalId };
  if (meta.writ !== undefined) return { writ: meta.writ, proof: meta.proof ?? "", ...approval };
  const url = resource ?? context.url?.href;
  const writ = writFromAuthorization(context.headers?.authorization);
  if (writ === undefined || url === undefined) return { writ: "", proof: "", ...approval };
  return {
    writ,
    proof: proofFromDpopHeader(context.headers?.dpop) ?? "",
    http: { method: "POST", url },
    ...approval,
  };
}

/** The tools a writ could ever use, each announcing its action for the client's proofs. */
function usableTools(
  guard: Guard,
  writ: string,
  tools: readonly Tool[],
  actions: ActionMap | undefined,
): Tool[] {
  if (writ === "") return [];
  return tools.flatMap((tool) => {
    const action = toolAction(tool.name, actions);
    if (action === undefined || !guard.canUse(writ, action)) return [];
    return [{ ...tool, _meta: { ...tool._meta, [WRIT_META.action]: action } }];
  });
}
