import type { SessionEndpoint } from "../shared/mcp-sdk.js";

interface Entry {
  readonly endpoint: SessionEndpoint;
  readonly principal: string;
  lastSeen: number;
}

/**
 * The gateway's open MCP sessions. Each is bound to the principal (tenant,
 * user, leaf agent) whose writ opened it: another writ cannot use it, even
 * knowing its id. Sessions idle longer than the limit are closed.
 */
export class GatewaySessions {
  readonly #sessions = new Map<string, Entry>();
  readonly #idleMs: number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(idleMs: number) {
    this.#idleMs = idleMs;
    this.#sweeper = setInterval(() => void this.#sweep(), Math.min(idleMs, 60_000));
    this.#sweeper.unref();
  }

  add(id: string, endpoint: SessionEndpoint, principal: string): void {
    this.#sessions.set(id, { endpoint, principal, lastSeen: Date.now() });
  }

  /** The session, if it exists and belongs to this principal (an unknown and a foreign session look the same). */
  find(id: string, principal: string): SessionEndpoint | undefined {
    const entry = this.#sessions.get(id);
    if (entry === undefined || entry.principal !== principal) return undefined;
    entry.lastSeen = Date.now();
    return entry.endpoint;
  }

  remove(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }

  endpoints(): SessionEndpoint[] {
    return [...this.#sessions.values()].map((entry) => entry.endpoint);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const open = this.endpoints();
    this.#sessions.clear();
    await Promise.allSettled(open.map((endpoint) => endpoint.close()));
  }

  async #sweep(): Promise<void> {
    const cutoff = Date.now() - this.#idleMs;
    const idle = [...this.#sessions].filter(([, entry]) => entry.lastSeen < cutoff);
    for (const [id] of idle) this.#sessions.delete(id);
    await Promise.allSettled(idle.map(([, entry]) => entry.endpoint.close()));
  }
}
