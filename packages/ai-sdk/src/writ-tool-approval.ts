import { guardedToolOf } from "./guarded-tool.js";
import type { ToolApprovalOptions, ToolApprovalStatus } from "./sdk-shapes.js";

/**
 * AI SDK 7's `toolApproval` with Writ's policy in it, for generateText,
 * streamText or a ToolLoopAgent: `toolApproval: writToolApproval()`. An
 * application-level `toolApproval` takes precedence over every tool's
 * `needsApproval`, the one withWrit sets included, so without Writ's part a
 * call the policy holds for a person is never put to one (the guard still
 * refuses it). For a tool withWrit guards, Writ answers first: a call the
 * policy holds for approval is `"user-approval"` whatever else is said (the
 * guard opens and records its request, as needsApproval would); a call the
 * guard refuses is `"not-applicable"` (nobody is asked; execute refuses it
 * and records why). Every other call is answered by `own`, your own rules as
 * one function, or is `"not-applicable"`. The tools' own `needsApproval`
 * is not consulted, as the SDK would not.
 */
export function writToolApproval<OPTIONS extends ToolApprovalOptions>(
  own?: (options: OPTIONS) => ToolApprovalStatus | PromiseLike<ToolApprovalStatus>,
): (options: OPTIONS) => Promise<ToolApprovalStatus> {
  if (own !== undefined && typeof own !== "function") {
    throw new TypeError(
      "writToolApproval takes your own approval rules as one function, ({ toolCall, tools, toolsContext, messages }) => status.",
    );
  }
  return async (options) => {
    const { toolCall, toolsContext } = options;
    const guarded = guardedToolOf(options.tools?.[toolCall.toolName]);
    if (guarded !== undefined) {
      const context =
        typeof toolsContext === "object" && toolsContext !== null
          ? Reflect.get(toolsContext, toolCall.toolName)
          : undefined;
      const session = guarded.sessionFor({ context });
      const policy = await guarded.policyApproval(session, toolCall.input, toolCall.toolCallId);
      if (policy === "ask") return "user-approval";
      if (policy === "refuse") return "not-applicable";
    }
    return own?.(options);
  };
}
