import { BoundedCache } from "../bounded-cache.js";
import type { WritErrorCode } from "../errors.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";
import type { AllowDecision, Decision } from "./decision.js";
import type { authorityLayers } from "./evaluate-authority.js";
import { failClosed } from "./fail-closed.js";

/**
 * The answer of guard.checkCall(): an allowed call still running, with who it
 * runs for, or why it no longer counts as one.
 */
export type CallCheck =
  | {
      readonly valid: true;
      readonly callId: string;
      readonly action: string;
      readonly tool: string;
      readonly user: string;
      readonly tenant?: string;
      /** The leaf agent. */
      readonly agent: string;
      /** Agent ids root→leaf. */
      readonly chain: readonly string[];
      /** Hop jtis root→leaf. */
      readonly hops: readonly string[];
      /** When the guard allowed it (epoch ms, the guard's clock). */
      readonly decidedAt: number;
    }
  | { readonly valid: false; readonly code: WritErrorCode; readonly message: string };

/** An allowed call whose outcome is not recorded yet, as checkCall() finds it. */
interface OpenCall {
  readonly decision: AllowDecision;
  readonly writ: string;
  readonly decidedAt: number;
}

type AuthorityLayers = ReturnType<typeof authorityLayers>;

/**
 * The allowed calls still running, by the id of their decision's ledger row,
 * until their outcome is recorded. Beyond `max` the oldest are forgotten, and
 * then count as finished.
 */
export class OpenCalls {
  readonly #calls: BoundedCache<string, OpenCall>;

  constructor(max: number) {
    this.#calls = new BoundedCache(max);
  }

  /** Remembers a recorded allow as running. */
  open(decision: Decision, writ: string, decidedAt: number): void {
    if (decision.effect !== "allow" || decision.eventId === undefined) return;
    this.#calls.set(decision.eventId, { decision, writ, decidedAt });
  }

  /** The call is over: from here on it gets nothing that needs a running call. */
  close(decision: AllowDecision): void {
    if (decision.eventId !== undefined) this.#calls.delete(decision.eventId);
  }

  /**
   * Whether `decision` is a running call no older than `maxAgeMs` at `now`
   * whose writ still passes live state (`liveLayers` verifies it and returns
   * its layers of authority, or throws).
   */
  check(
    decision: AllowDecision,
    maxAgeMs: number,
    now: number,
    liveLayers: (writ: string) => { verified: VerifiedWrit; layers: AuthorityLayers },
  ): CallCheck {
    if (decision === null || typeof decision !== "object" || decision.effect !== "allow") {
      return {
        valid: false,
        code: "credential.outside_call",
        message: "Only a call the guard allowed qualifies; this decision did not allow it.",
      };
    }
    const open =
      typeof decision.eventId === "string" ? this.#calls.get(decision.eventId) : undefined;
    if (open === undefined || !sameCall(open.decision, decision)) {
      return {
        valid: false,
        code: "credential.outside_call",
        message:
          "This decision is not a running call of this guard: unknown to it, or its outcome is already recorded.",
      };
    }
    if (now - open.decidedAt > maxAgeMs) {
      return {
        valid: false,
        code: "credential.call_expired",
        message: `The call was allowed more than ${maxAgeMs} ms ago; only a recent decision qualifies.`,
      };
    }
    try {
      const { verified, layers } = liveLayers(open.writ);
      const denial = liveDenial(layers, decision.action);
      if (denial) return { valid: false, ...denial };
      return {
        valid: true,
        callId: decision.callId,
        action: decision.action,
        tool: decision.tool,
        user: verified.user,
        agent: verified.leaf.claims.aud,
        chain: verified.agents,
        hops: verified.jtis,
        decidedAt: open.decidedAt,
        ...(verified.tenant === undefined ? {} : { tenant: verified.tenant }),
      };
    } catch (error) {
      // Fail closed: whatever went wrong, the call no longer qualifies.
      const failure = failClosed(error);
      return { valid: false, code: failure.code, message: failure.message };
    }
  }
}

/** The same allowed call: a decision with a known event id but other facts is not the one recorded. */
function sameCall(recorded: AllowDecision, presented: AllowDecision): boolean {
  return (
    recorded.callId === presented.callId &&
    recorded.action === presented.action &&
    recorded.tool === presented.tool &&
    recorded.user === presented.user &&
    recorded.agent === presented.agent
  );
}

/**
 * Whether the user's current permissions and every chain agent's current
 * policy still reach `action` (the hops' own grants cannot change). Judged on
 * the action alone: the arguments were judged when the call was allowed.
 */
function liveDenial(
  layers: AuthorityLayers,
  action: string,
): { readonly code: WritErrorCode; readonly message: string } | undefined {
  for (const layer of layers) {
    if (layer.source === "hop" || layer.grants.mayPermit(action)) continue;
    return layer.source === "permissions"
      ? {
          code: "live.permission_denied",
          message: `The user no longer has permission for ${action}.`,
        }
      : {
          code: "live.policy_denied",
          message: `The policy of agent "${layer.agent}" no longer allows ${action}.`,
        };
  }
  return undefined;
}
