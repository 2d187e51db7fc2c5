import { type Clock, type RandomSource, systemClock, systemRandom } from "./clock.js";
import { uuidV7 } from "./encoding/uuid-v7.js";
import type { Call, CallInput } from "./guard/call.js";
import type { AgentIdentity, AgentReference } from "./keys/agent-identity.js";
import { createProof } from "./proof/create-proof.js";
import type { ProofSubject } from "./proof/proof-claims.js";
import { type DelegateOptions, delegateWrit } from "./writ/delegate-writ.js";
import { Writ } from "./writ/writ.js";

export interface SessionOptions {
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

/**
 * The runtime handle of an agent acting for a user: its identity, its private
 * key and its writ. Sessions sign proofs for calls and delegate narrower
 * writs to other agents.
 */
export class Session {
  readonly agent: AgentIdentity;
  readonly writ: Writ;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(agent: AgentIdentity, writ: Writ | string, options: SessionOptions = {}) {
    const parsed = typeof writ === "string" ? Writ.parse(writ) : writ;
    if (parsed.leaf.claims.aud !== agent.id || parsed.leaf.claims.cnf.jkt !== agent.thumbprint) {
      throw new TypeError(
        `This writ's leaf hop is for agent "${parsed.leaf.claims.aud}" and another key; a session needs the agent and key the writ was issued to.`,
      );
    }
    this.agent = agent;
    this.writ = parsed;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
  }

  /** The user this session acts for. */
  get user(): string {
    return this.writ.user;
  }

  /** Delegates a strictly narrower writ to an agent whose key is at hand, returning its session. */
  delegate(agent: AgentIdentity, options: Omit<DelegateOptions, "clock" | "random">): Session {
    return new Session(agent, this.delegateTo(agent, options), {
      clock: this.#clock,
      random: this.#random,
    });
  }

  /** Delegates to an agent known only by id and key thumbprint (e.g. in another process). */
  delegateTo(agent: AgentReference, options: Omit<DelegateOptions, "clock" | "random">): Writ {
    return delegateWrit(this.writ, this.agent.key, agent, {
      ...options,
      clock: this.#clock,
      random: this.#random,
    });
  }

  /** Signs the invocation proof for one call. */
  prove(subject: ProofSubject): string {
    return createProof(this.writ, this.agent.key, subject, {
      clock: this.#clock,
      random: this.#random,
    });
  }

  /**
   * Builds a call for a guard whose audience is `audience`, with a fresh proof.
   * A call without an id gets a time-ordered one (UUIDv7): stores index the
   * ledger by call id, and ids that grow with time land on the index page the
   * last call wrote instead of dirtying a random one each commit.
   */
  call(audience: string, input: CallInput): Call {
    return {
      ...input,
      callId: input.callId ?? uuidV7(this.#clock, this.#random),
      writ: this.writ.toString(),
      proof: this.prove({ audience, action: input.action, tool: input.tool, args: input.args }),
    };
  }

  /** Keeps the private key and the token out of logs. */
  toJSON(): { agent: string; user: string; expiresAt: string } {
    return { agent: this.agent.id, user: this.user, expiresAt: this.writ.expiresAt.toISOString() };
  }
}
