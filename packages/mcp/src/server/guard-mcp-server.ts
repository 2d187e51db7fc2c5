import {
  type Call,
  type Guard,
  runAllowed,
  type ToolActions,
  toolActionResolver,
  usableActions,
} from "@writ/core";
import { newCallId } from "../shared/call-id.js";
import { decisionResult, failureResult } from "../shared/decision-result.js";
import { isErrorResult } from "../shared/error-result.js";
import { proofFromDpopHeader, writFromAuthorization } from "../shared/http-carriage.js";
import {
  checkToolNames,
  interceptToolRequests,
  type McpServerLike,
  type RequestContext,
} from "../shared/mcp-sdk.js";
import { readMetaCredentials, WRIT_META } from "../shared/writ-meta.js";
import { runningCalls } from "./allowed-call.js";

export interface GuardMcpServerOptions {
  /** The guard that decides every call. Clients sign proofs for `guard.audience`. */
  readonly guard: Guard;
  /**
   * Tool name → action: a table or a function. Default: the tool name, `/`
   * read as `.`. A tool that then has no valid action is a TypeError when it
   * is registered (or here, for tools registered before).
   */
  readonly actions?: ToolActions;
  /**
   * The public URL of this server's MCP endpoint, which proofs sent in the
   * `DPoP` header must be bound to (`htu`). Default: the URL each HTTP request
   * arrived at. Only used for HTTP carriage.
   */
  readonly resource?: string;
}

const guarded = new WeakSet<McpServerLike>();

/**
 * Guards every tool of an McpServer from MCP SDK v1 or v2, whether registered
 * before or after this call: each tools/call is authorized by the guard (writ and proof from
 * `params._meta`, or from `Authorization: DPoP` and `DPoP` over HTTP) before
 * the tool runs, a refusal comes back as an `isError` result with the guard's
 * model-safe message, and tools/list shows each caller only the tools its writ
 * could ever use. Returns the same server.
 */
export function guardMcpServer<S extends McpServerLike>(
  server: S,
  options: GuardMcpServerOptions,
): S {
  const { guard, resource } = options;
  if (!guard || typeof guard.authorize !== "function") {
    throw new TypeError("guardMcpServer needs { guard }: a Guard from createGuard().");
  }
  const actions = toolActionResolver(options.actions, { where: "guardMcpServer" });
  if (resource !== undefined && !URL.canParse(resource)) {
    throw new TypeError("guardMcpServer: resource must be the absolute URL of the MCP endpoint.");
  }
  if (guarded.has(server)) throw new TypeError("This McpServer is already guarded.");
  checkToolNames(server, (name) => actions.actionOf(name));
  interceptToolRequests(server, {
    async list(context, next) {
      const listed = await next();
      const usable = usableActions(guard, credentialsOf(context, resource).writ);
      // The tools a writ could ever use, each announcing its action for the client's proofs.
      return {
        ...listed,
        tools: listed.tools.flatMap((tool) => {
          const action = actions.findAction(tool.name);
          if (action === undefined || !usable(action)) return [];
          return [{ ...tool, _meta: { ...tool._meta, [WRIT_META.action]: action } }];
        }),
      };
    },
    async call(raw, context, next) {
      // A malformed request gets the SDK's own invalid-params answer; nothing runs.
      if (typeof raw.name !== "string") return next();
      // Names are checked as tools are registered; this refuses one the check could not see.
      const action = actions.findAction(raw.name);
      if (action === undefined) {
        return failureResult(
          `The tool "${raw.name}" is not mapped to a Writ action, so it cannot be authorized.`,
          "tool.unmapped",
        );
      }
      // Conditions judge, and the hash covers, the arguments as the tool's schema
      // parses them: what the tool receives, not the raw JSON a transform changes.
      // Arguments its schema refuses are judged raw; the SDK then refuses them itself.
      const input = await raw.parse();
      const { writ, proof, approvalId, http } = credentialsOf(context, resource);
      const call: Call = {
        action,
        tool: raw.name,
        args: (input.ok ? input.args : raw.arguments) ?? {},
        // The client signed the arguments it sent; the proof is checked against those.
        ...(input.ok ? { sentArgs: raw.arguments ?? {} } : {}),
        callId: newCallId(),
        writ,
        proof,
        adapter: "mcp",
        ...(approvalId === undefined ? {} : { approvalId }),
        ...(http === undefined ? {} : { http }),
      };
      const decision = await guard.authorize(call);
      if (decision.effect !== "allow") return decisionResult(decision);
      return runAllowed(
        guard,
        decision,
        call,
        () =>
          runningCalls.within(raw.toolContext, raw.requestId, { decision }, () =>
            next(input.ok ? input : undefined),
          ),
        { failed: isErrorResult },
      );
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
  const writ = writFromAuthorization(context.header("authorization"));
  if (writ === undefined || url === undefined) return { writ: "", proof: "", ...approval };
  return {
    writ,
    proof: proofFromDpopHeader(context.header("dpop")) ?? "",
    http: { method: "POST", url },
    ...approval,
  };
}
