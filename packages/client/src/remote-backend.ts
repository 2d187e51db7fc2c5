import { type Approval, type Backend, type LedgerRecord, WritError } from "@writ/core";
import type {
  ApprovalBinding,
  ApprovalConsumption,
  ApprovalDecisionInput,
  ApprovalRequest,
  BudgetReservationRequest,
  BudgetReservationResult,
  DelegationRecord,
  LedgerAppend,
  LedgerAppendOptions,
  LiveSink,
  LiveWatch,
} from "@writ/core/backend";
import { appendJson, appendRequestJson } from "./append-json.js";
import { HttpTransport, type RemoteOptions } from "./http-transport.js";
import { LedgerOutbox, wentUnanswered } from "./ledger-outbox.js";
import { RemoteLiveFeed, type RemoteLiveFeedOptions } from "./remote-live-feed.js";

export interface RemoteBackendOptions extends RemoteOptions {
  /** The live feed's reconnection and idle settings. */
  readonly live?: RemoteLiveFeedOptions;
}

/** The server records at most this many hops per request. */
const DELEGATION_BATCH = 8;

/**
 * core's Backend over a Writ server: guards in any number of processes share
 * the server's store. Ledger rows are sealed by the server into its writer
 * chain: a decision's row is durable there before append() resolves, one
 * round trip that also carries the outcome rows queued since (rows appended
 * with `{ durable: false }` are batched, see LedgerOutbox). The live feed
 * arrives as server-sent events (never synchronous: the guard's staleness
 * bound applies, and a disconnected feed fails the guard closed).
 */
export class RemoteBackend implements Backend {
  /** Outcome rows are queued here and batched, so the guard does not wait for them. */
  readonly queuesAppends = true;
  readonly #transport: HttpTransport;
  readonly #liveOptions: RemoteLiveFeedOptions;
  readonly #feeds = new Set<RemoteLiveFeed>();
  readonly #outbox: LedgerOutbox;
  #closed = false;

  constructor(options: RemoteBackendOptions) {
    this.#transport = new HttpTransport(options);
    this.#liveOptions = options.live ?? {};
    this.#outbox = new LedgerOutbox((rows, retried) => this.#sendRows(rows, retried));
  }

  async watch(sink: LiveSink): Promise<LiveWatch> {
    this.#assertOpen();
    const feed = new RemoteLiveFeed(this.#transport, sink, this.#liveOptions);
    this.#feeds.add(feed);
    try {
      const watch = await feed.start();
      return {
        synchronous: watch.synchronous,
        resync: watch.resync,
        close: async () => {
          this.#feeds.delete(feed);
          await watch.close();
        },
      };
    } catch (error) {
      this.#feeds.delete(feed);
      throw error;
    }
  }

  /**
   * Durable rows (the default): resolves once the server has committed them,
   * in a request that carries the queued outcome rows ahead of them. Rows
   * with `{ durable: false }` are queued and resolve once the server has them
   * (a crash of this process can lose them; flush() or close() sends them).
   */
  async append(
    appends: readonly LedgerAppend[],
    options?: LedgerAppendOptions,
  ): Promise<readonly LedgerRecord[]> {
    if (this.#closed) {
      throw new WritError(
        "ledger.unavailable",
        "This remote backend is closed; the ledger takes no more rows.",
      );
    }
    if (appends.length === 0) return [];
    if (options?.durable === false) return this.#outbox.add(appends);
    const rows = appends.map(appendJson);
    const carried = this.#outbox.take();
    if (carried.rows.length === 0) return this.#sendRows(rows, 0);
    let records: readonly LedgerRecord[];
    try {
      records = await this.#sendRows([...carried.rows, ...rows], carried.retried);
    } catch (error) {
      carried.fail(error);
      // A refusal may be of a carried row: this call's own rows are sent once more alone.
      if (wentUnanswered(error)) throw error;
      return this.#sendRows(rows, 0);
    }
    carried.settle(records);
    return records.slice(carried.rows.length);
  }

  /** Sends the queued outcome rows now; resolves once each is recorded or reported lost. */
  flush(): Promise<void> {
    return this.#outbox.flush();
  }

  #sendRows(rows: readonly string[], retried: number): Promise<readonly LedgerRecord[]> {
    return this.#transport
      .json<{ records: LedgerRecord[] }>("POST", "/v1/ledger/append", {
        bodyJson: appendRequestJson(rows, retried),
      })
      .then(({ records }) => records);
  }

  async recordDelegations(records: readonly DelegationRecord[]): Promise<void> {
    this.#assertOpen();
    for (let index = 0; index < records.length; index += DELEGATION_BATCH) {
      await this.#transport.json("POST", "/v1/delegations", {
        body: { records: records.slice(index, index + DELEGATION_BATCH) },
      });
    }
  }

  async requestApproval(
    request: ApprovalRequest,
  ): Promise<{ readonly approval: Approval; readonly created: boolean }> {
    this.#assertOpen();
    return this.#transport.json("POST", "/v1/approvals", { body: request });
  }

  /** The server times the decision with its own clock. */
  async decideApproval(id: string, decision: ApprovalDecisionInput): Promise<Approval> {
    this.#assertOpen();
    const { approved, by, reason } = decision;
    return this.#transport.json("POST", `/v1/approvals/${encodeURIComponent(id)}/decision`, {
      body: { approved, by, ...(reason === undefined ? {} : { reason }) },
    });
  }

  /** The server spends the approval at its own time, so a client cannot claim an earlier one. */
  async consumeApproval(
    id: string,
    binding: ApprovalBinding,
    _at: number,
  ): Promise<ApprovalConsumption> {
    this.#assertOpen();
    const { result } = await this.#transport.json<{ result: ApprovalConsumption }>(
      "POST",
      `/v1/approvals/${encodeURIComponent(id)}/consume`,
      {
        body: {
          action: binding.action,
          tool: binding.tool,
          argsHash: binding.argsHash,
          leafHash: binding.leafHash,
        },
      },
    );
    return result;
  }

  async getApproval(id: string): Promise<Approval | undefined> {
    this.#assertOpen();
    return this.#transport.optional("GET", `/v1/approvals/${encodeURIComponent(id)}`);
  }

  /** The server reserves on its own clock, in its store: one window for every guard. */
  async reserveBudgets(request: BudgetReservationRequest): Promise<BudgetReservationResult> {
    this.#assertOpen();
    return this.#transport.json("POST", "/v1/budgets/reservations", { body: request });
  }

  /** The server gives back what it recorded the reservation took, never an amount a client names. */
  async releaseBudgets(id: string, callId: string): Promise<void> {
    this.#assertOpen();
    await this.#transport.json(
      "POST",
      `/v1/budgets/reservations/${encodeURIComponent(id)}/release`,
      { body: { callId } },
    );
  }

  /**
   * Sends the queued outcome rows (any the server cannot take are reported
   * lost), stops every live feed; later calls fail (appends with
   * ledger.unavailable).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#outbox.close();
    for (const feed of this.#feeds) feed.close();
    this.#feeds.clear();
    this.#transport.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new WritError("store.unavailable", "This remote backend is closed.");
  }
}

/** Creates the Backend for a remote Writ server. */
export function remoteBackend(options: RemoteBackendOptions): RemoteBackend {
  return new RemoteBackend(options);
}
