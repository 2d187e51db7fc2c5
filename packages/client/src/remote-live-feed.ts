import { WritError } from "@writ/core";
import type { LiveChange, LiveSink, LiveSnapshot, LiveWatch } from "@writ/core/backend";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { HttpTransport } from "./http-transport.js";

export interface RemoteLiveFeedOptions {
  /** Reconnect when nothing (not even a heartbeat) arrives for this long, in ms. Default 3000. */
  readonly idleTimeoutMs?: number;
  /** First reconnection delay in ms, doubled per failure with jitter. Default 100. */
  readonly reconnectDelayMs?: number;
  /** Longest reconnection delay in ms. Default 5000. */
  readonly maxReconnectDelayMs?: number;
}

const MAX_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * The server's live feed (server-sent events) delivered to a guard's sink.
 * The server numbers events by the store's sequence; a tenant's feed skips
 * other tenants' changes, so the client numbers what it delivers itself and
 * checks the server's numbers for gaps. While disconnected the sink is
 * faulted (its guard fails closed); on reconnect the client resumes from
 * the last sequence number with Last-Event-ID, or takes a fresh snapshot.
 */
export class RemoteLiveFeed {
  readonly #transport: HttpTransport;
  readonly #sink: LiveSink;
  readonly #idleTimeoutMs: number;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  /** The server's sequence number this client holds everything up to; -1: none (next connect takes a snapshot). */
  #serverSeq = -1;
  /** The sequence number of the last change given to the sink. */
  #localSeq = -1;
  #connection: AbortController | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #started: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(transport: HttpTransport, sink: LiveSink, options: RemoteLiveFeedOptions = {}) {
    this.#transport = transport;
    this.#sink = sink;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 3000;
    this.#firstDelayMs = options.reconnectDelayMs ?? 100;
    this.#maxDelayMs = options.maxReconnectDelayMs ?? 5000;
  }

  /** Connects; resolves with the running watch once the first snapshot reached the sink. */
  start(): Promise<LiveWatch> {
    const started = new Promise<void>((resolve, reject) => {
      this.#started = { resolve, reject };
    });
    void this.#run();
    return started.then(() => ({
      synchronous: false,
      resync: () => this.#resync(),
      close: async () => this.close(),
    }));
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#connection?.abort();
  }

  async #run(): Promise<void> {
    let delay = this.#firstDelayMs;
    while (!this.#closed) {
      const controller = new AbortController();
      this.#connection = controller;
      let heard = false;
      try {
        const response = await this.#transport.send("GET", "/v1/live", {
          stream: true,
          signal: controller.signal,
          headers: {
            accept: "text/event-stream",
            ...(this.#serverSeq >= 0 ? { "last-event-id": String(this.#serverSeq) } : {}),
          },
        });
        const body = response.body;
        if (!body)
          throw new WritError("live.unavailable", "The live feed answered without a body.");
        const parser = createParser({
          maxBufferSize: MAX_EVENT_BYTES,
          onEvent: (event) => {
            heard = true;
            this.#receive(event, controller);
          },
          onError: () => controller.abort(),
        });
        this.#armIdleTimer(controller);
        const decoder = new TextDecoder();
        for await (const chunk of body) {
          this.#armIdleTimer(controller);
          parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        }
      } catch (error) {
        if (this.#started && !heard) {
          // The first connection failed (wrong URL or key, server down): say so rather than wait.
          this.#started.reject(error);
          this.#started = undefined;
          this.close();
          return;
        }
      } finally {
        clearTimeout(this.#idleTimer);
      }
      if (this.#closed) return;
      // Fail closed while disconnected: the guard refuses calls until the feed is back and caught up.
      this.#sink.fault(
        new WritError(
          "live.unavailable",
          `The live feed from ${this.#transport.where} is disconnected; reconnecting.`,
        ),
      );
      if (heard) delay = this.#firstDelayMs;
      await sleep(delay * (0.5 + Math.random() / 2));
      delay = Math.min(delay * 2, this.#maxDelayMs);
    }
  }

  #receive(event: EventSourceMessage, connection: AbortController): void {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      this.#desync(connection);
      return;
    }
    switch (event.event) {
      case "snapshot": {
        const snapshot = data as LiveSnapshot;
        this.#serverSeq = Number(event.id);
        this.#localSeq = snapshot.seq;
        this.#sink.snapshot(snapshot);
        this.#started?.resolve();
        this.#started = undefined;
        return;
      }
      case "change": {
        const id = Number(event.id);
        if (id <= this.#serverSeq) return; // already applied
        if (this.#serverSeq < 0 || id !== this.#serverSeq + 1) {
          this.#desync(connection);
          return;
        }
        for (const change of (data as { changes: readonly LiveChange[] }).changes) {
          this.#sink.change({ ...change, seq: ++this.#localSeq } as LiveChange);
        }
        this.#serverSeq = id;
        return;
      }
      case "heartbeat": {
        const { seq, at } = data as { seq: number; at: number };
        // Everything up to `seq` was sent before this heartbeat; holding less means a gap.
        if (this.#serverSeq < 0 || seq > this.#serverSeq) {
          this.#desync(connection);
          return;
        }
        this.#sink.heartbeat(at);
        return;
      }
      case "fault": {
        const { message } = data as { message: string };
        this.#sink.fault(new WritError("live.unavailable", message));
        return;
      }
    }
  }

  /** A change was missed: fail closed and reconnect for a fresh snapshot. */
  #desync(connection: AbortController): void {
    this.#serverSeq = -1;
    this.#sink.fault(
      new WritError("live.unavailable", "The live feed skipped a change; taking a fresh snapshot."),
    );
    connection.abort();
  }

  #resync(): void {
    if (this.#connection) this.#desync(this.#connection);
  }

  #armIdleTimer(connection: AbortController): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => connection.abort(), this.#idleTimeoutMs);
    this.#idleTimer.unref();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
