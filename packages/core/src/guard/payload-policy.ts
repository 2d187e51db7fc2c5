import { actionMatches, isActionPattern } from "../grants/action-pattern.js";
import type { Call } from "./call.js";

/**
 * What the ledger keeps of each call's arguments and result (DESIGN §6).
 * By default only their SHA-256 hashes and sizes: a ledger is read by more
 * people than the data it describes. Full bodies are opted into per action
 * or tool; they go to the erasable payload table, through `redact` first.
 */
export interface PayloadPolicy {
  /**
   * The calls whose full arguments and result are stored: action patterns as
   * grants write them (`crm.*`, `files.read`) and tool names, or a function
   * of the call. Default: none.
   */
  readonly full?:
    | { readonly actions?: readonly string[]; readonly tools?: readonly string[] }
    | ((call: Call) => boolean);
  /**
   * Rewrites a full payload before it is stored; return undefined to store
   * nothing for it. The hash always covers the real value.
   */
  readonly redact?: (
    payload: unknown,
    context: { readonly kind: "input" | "output"; readonly call: Call },
  ) => unknown;
}

/** The body to store for a call's payload, or undefined to keep only its hash and size. */
export type PayloadKeeper = (
  payload: unknown,
  context: { readonly kind: "input" | "output"; readonly call: Call },
) => unknown;

/** Checks a policy once, where it is configured, and returns what the ledger asks per payload. */
export function payloadKeeper(policy: PayloadPolicy | undefined): PayloadKeeper {
  const full = policy?.full;
  const redact = policy?.redact ?? ((payload: unknown) => payload);
  if (policy?.redact !== undefined && typeof policy.redact !== "function") {
    throw new TypeError("createGuard: payloads.redact must be a function.");
  }
  if (full === undefined) return () => undefined;
  if (typeof full === "function") {
    return (payload, context) => (full(context.call) ? redact(payload, context) : undefined);
  }
  if (full === null || typeof full !== "object") {
    throw new TypeError(
      "createGuard: payloads.full is { actions?, tools? } or a function of the call.",
    );
  }
  const actions = [...(full.actions ?? [])];
  const tools = new Set(full.tools ?? []);
  for (const pattern of actions) {
    if (!isActionPattern(pattern)) {
      throw new TypeError(
        `createGuard: payloads.full.actions holds ${JSON.stringify(pattern)}, which is not an action pattern (e.g. "crm.*" or "files.read").`,
      );
    }
  }
  return (payload, context) =>
    tools.has(context.call.tool) ||
    actions.some((pattern) => actionMatches(pattern, context.call.action))
      ? redact(payload, context)
      : undefined;
}
