import { type Clock, type RevocationKind, WritError } from "@writ/core";
import type { LiveChange, LiveSink, LiveWatch } from "@writ/core/backend";
import { integer } from "../sql/row-values.js";
import type { SqlDriver, SqlRow } from "../sql/sql-driver.js";
import { asError } from "./embedded-live-feed.js";
import type { LiveChangeLog } from "./live-change-log.js";

/** A dedicated connection that LISTENs on the live channel. */
export interface ListenConnection {
  query(text: string): Promise<SqlRow[]>;
  close(): Promise<void>;
}

/** Opens a listening connection; `onLost` is called once if it breaks. */
export type Listen = (
  channel: string,
  onNotify: (payload: string) => void,
  onLost: (error: Error) => void,
) => Promise<ListenConnection>;

export interface NotifyLiveFeedOptions {
  readonly channel: string;
  readonly counterTable: string;
  readonly heartbeatMs: number;
  readonly clock: Clock;
}

const MAX_BACKOFF_MS = 2000;
const CATCH_UP_PAGE = 1000;

/**
 * The live feed of a shared Postgres store: LISTEN/NOTIFY on one dedicated
 * connection (one notification per change), catch-up by sequence number from
 * the change log after a gap or a reconnect, and a heartbeat that reads the
 * latest sequence number on the listening connection. A watching guard's view
 * goes stale, and refuses calls, when heartbeats stop.
 */
export class NotifyLiveFeed {
  readonly #driver: SqlDriver;
  readonly #log: LiveChangeLog;
  readonly #options: NotifyLiveFeedOptions;
  readonly #listen: Listen;
  readonly #subscriptions = new Set<Subscription>();
  #connection: ListenConnection | undefined;
  #connecting: Promise<ListenConnection> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #backoffMs = 100;
  #closed = false;

  constructor(
    driver: SqlDriver,
    log: LiveChangeLog,
    listen: Listen,
    options: NotifyLiveFeedOptions,
  ) {
    this.#driver = driver;
    this.#log = log;
    this.#listen = listen;
    this.#options = options;
  }

  /** Changes reach this feed through NOTIFY, in commit order, never by a local shortcut. */
  deliver(): void {}

  revocationPending(kind: RevocationKind, id: string): void {
    for (const { sink } of this.#subscriptions) sink.revocationPending?.(kind, id);
  }

  revocationWithdrawn(kind: RevocationKind, id: string): void {
    for (const { sink } of this.#subscriptions) sink.revocationWithdrawn?.(kind, id);
  }

  async watch(sink: LiveSink): Promise<LiveWatch> {
    if (this.#closed) throw new TypeError("This backend is closed.");
    // LISTEN before the snapshot, so no change can fall between the two.
    await this.#connect();
    const subscription = new Subscription(sink, this.#driver, this.#log);
    this.#subscriptions.add(subscription);
    await subscription.resync();
    this.#timer ??= setInterval(() => this.#heartbeat(), this.#options.heartbeatMs).unref();
    return {
      synchronous: false,
      resync: () => {
        void subscription.resync().catch(() => undefined);
      },
      close: async () => {
        this.#subscriptions.delete(subscription);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#reconnectTimer);
    this.#subscriptions.clear();
    const connection = this.#connection ?? (await this.#connecting?.catch(() => undefined));
    this.#connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  #connect(): Promise<ListenConnection> {
    if (this.#connection) return Promise.resolve(this.#connection);
    this.#connecting ??= this.#listen(
      this.#options.channel,
      (payload) => this.#notified(payload),
      (error) => this.#lost(error),
    ).then(
      (connection) => {
        this.#connecting = undefined;
        if (this.#closed) {
          void connection.close();
          throw new TypeError("This backend is closed.");
        }
        this.#connection = connection;
        this.#backoffMs = 100;
        return connection;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    return this.#connecting;
  }

  #notified(payload: string): void {
    let message: LiveChange | { seq: number };
    try {
      message = JSON.parse(payload) as LiveChange | { seq: number };
    } catch {
      message = { seq: Number.MAX_SAFE_INTEGER }; // unreadable: catch up from the log
    }
    for (const subscription of this.#subscriptions) subscription.offer(message);
  }

  #heartbeat(): void {
    const connection = this.#connection;
    if (!connection || this.#closed) return;
    connection.query(`SELECT seq FROM ${this.#options.counterTable} WHERE id = 1`).then(
      (rows) => {
        const latest = rows[0] ? integer(rows[0], "seq") : 0;
        const at = this.#options.clock();
        for (const subscription of this.#subscriptions) subscription.heartbeat(latest, at);
      },
      (error: unknown) => this.#lost(asError(error)),
    );
  }

  #lost(error: Error): void {
    if (this.#closed) return;
    const connection = this.#connection;
    this.#connection = undefined;
    void connection?.close().catch(() => undefined);
    const fault = new WritError(
      "store.unavailable",
      "The live feed lost its Postgres connection; reconnecting.",
      {},
      error,
    );
    for (const subscription of this.#subscriptions) subscription.fault(fault);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect().then(
        () => {
          const at = this.#options.clock();
          // Caught up by sequence number from the log, then proven alive.
          for (const subscription of this.#subscriptions)
            subscription.heartbeat(Number.MAX_SAFE_INTEGER, at);
        },
        () => {
          this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
          this.#scheduleReconnect();
        },
      );
    }, this.#backoffMs);
    this.#reconnectTimer.unref();
  }
}

/** One sink's position in the feed. All its work runs one step at a time, in order. */
class Subscription {
  readonly sink: LiveSink;
  readonly #driver: SqlDriver;
  readonly #log: LiveChangeLog;
  #seq = -1;
  #work: Promise<void> = Promise.resolve();

  constructor(sink: LiveSink, driver: SqlDriver, log: LiveChangeLog) {
    this.sink = sink;
    this.#driver = driver;
    this.#log = log;
  }

  resync(): Promise<void> {
    return this.#serial(async () => {
      const snapshot = await this.#driver.transaction((tx) => this.#log.snapshot(tx), {
        snapshot: true,
      });
      this.sink.snapshot(snapshot);
      this.#seq = snapshot.seq;
    });
  }

  offer(message: LiveChange | { readonly seq: number }): void {
    void this.#serial(async () => {
      if (this.#seq < 0 || message.seq <= this.#seq) return;
      if ("type" in message && message.seq === this.#seq + 1) {
        this.sink.change(message);
        this.#seq = message.seq;
      } else {
        await this.#catchUp();
      }
    }).catch(() => undefined);
  }

  /** `latest` is the newest sequence number the database reported (MAX_SAFE_INTEGER: unknown, catch up). */
  heartbeat(latest: number, at: number): void {
    void this.#serial(async () => {
      if (this.#seq < 0) {
        const snapshot = await this.#driver.transaction((tx) => this.#log.snapshot(tx), {
          snapshot: true,
        });
        this.sink.snapshot(snapshot);
        this.#seq = snapshot.seq;
      } else if (latest > this.#seq) {
        await this.#catchUp();
      }
      this.sink.heartbeat(at);
    }).catch(() => undefined);
  }

  fault(error: Error): void {
    this.sink.fault(error);
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const changes = await this.#log.changesAfter(this.#driver, this.#seq, CATCH_UP_PAGE);
      for (const change of changes) {
        if (change.seq !== this.#seq + 1) {
          throw new WritError(
            "store.corrupt",
            `The live change log skips from ${this.#seq} to ${change.seq}.`,
          );
        }
        this.sink.change(change);
        this.#seq = change.seq;
      }
      if (changes.length < CATCH_UP_PAGE) return;
    }
  }

  /** Runs steps one after another; a failed step faults the sink (it fails closed until a later step succeeds). */
  #serial(step: () => Promise<void>): Promise<void> {
    const run = this.#work.then(step).catch((error: unknown) => {
      this.sink.fault(asError(error));
      throw error;
    });
    this.#work = run.catch(() => undefined);
    return run;
  }
}
