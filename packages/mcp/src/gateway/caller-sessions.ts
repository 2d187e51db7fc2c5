import { WritError } from "@writ/core";
import { CallerSession, type CallerSessionOptions } from "./caller-session.js";

export interface SessionLimits {
  /** Idle sessions are closed after this long, in ms. */
  readonly idleMs: number;
  /** Most open sessions in all. */
  readonly max: number;
  /** Most open sessions of one principal (tenant, user, leaf agent). */
  readonly maxPerPrincipal: number;
}

/**
 * The callers' open MCP sessions (2025-11-25 and before), bounded: at most
 * `max` in all and `maxPerPrincipal` for one principal, each closed once idle
 * for `idleMs`. A session is bound to the principal whose writ opened it:
 * another writ cannot use it, even knowing its id.
 */
export class CallerSessions {
  readonly #sessions = new Map<string, CallerSession>();
  readonly #perPrincipal = new Map<string, number>();
  readonly #limits: SessionLimits;
  readonly #sweeper: NodeJS.Timeout;

  constructor(limits: SessionLimits) {
    this.#limits = limits;
    this.#sweeper = setInterval(
      () => void this.#sweep(),
      Math.max(50, Math.min(limits.idleMs / 2, 60_000)),
    );
    this.#sweeper.unref();
  }

  /**
   * Opens a session for `principal`, or throws `gateway.mcp_session_limit`
   * when the principal or the gateway is at its limit.
   */
  open(options: Omit<CallerSessionOptions, "id">): CallerSession {
    const { principal } = options;
    const held = this.#perPrincipal.get(principal) ?? 0;
    if (held >= this.#limits.maxPerPrincipal) {
      throw new WritError(
        "gateway.mcp_session_limit",
        `This agent already holds ${held} open MCP sessions with the gateway, its limit (maxSessionsPerPrincipal). End sessions it no longer uses (HTTP DELETE), or wait until idle ones close (after ${Math.round(this.#limits.idleMs / 1000)} s).`,
      );
    }
    if (this.#sessions.size >= this.#limits.max) {
      throw new WritError(
        "gateway.mcp_session_limit",
        `The gateway holds ${this.#sessions.size} open MCP sessions, its limit (maxSessions). Try again when idle sessions have closed (after ${Math.round(this.#limits.idleMs / 1000)} s).`,
      );
    }
    const session = new CallerSession({ ...options, id: crypto.randomUUID() });
    this.#sessions.set(session.id, session);
    this.#perPrincipal.set(principal, held + 1);
    return session;
  }

  /** The session, if it exists and belongs to this principal (an unknown and a foreign session look the same). */
  find(id: string, principal: string): CallerSession | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || session.principal !== principal) return undefined;
    session.lastSeen = Date.now();
    return session;
  }

  async end(session: CallerSession): Promise<void> {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    const held = (this.#perPrincipal.get(session.principal) ?? 1) - 1;
    if (held > 0) this.#perPrincipal.set(session.principal, held);
    else this.#perPrincipal.delete(session.principal);
    await session.close();
  }

  all(): Iterable<CallerSession> {
    return this.#sessions.values();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#sessions.values()].map((session) => this.end(session)));
  }

  async #sweep(): Promise<void> {
    const cutoff = Date.now() - this.#limits.idleMs;
    const idle = [...this.#sessions.values()].filter((session) => session.lastSeen < cutoff);
    await Promise.allSettled(idle.map((session) => this.end(session)));
  }
}
