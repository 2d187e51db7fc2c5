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
  LiveSink,
  LiveWatch,
} from "@writ/core/backend";
import { HttpTransport, type RemoteOptions } from "./http-transport.js";
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
 * chain and resolve once durable there; the live feed arrives as
 * server-sent events (never synchronous: the guard's staleness bound
 * applies, and a disconnected feed fails the guard closed).
 */
export class RemoteBackend implements Backend {
  readonly #transport: HttpTransport;
  readonly #liveOptions: RemoteLiveFeedOptions;
  readonly #feeds = new Set<RemoteLiveFeed>();
  #closed = false;

  constructor(options: RemoteBackendOptions) {
    this.#transport = new HttpTransport(options);
    this.#liveOptions = options.live ?? {};
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

  async append(appends: readonly LedgerAppend[]): Promise<readonly LedgerRecord[]> {
    if (this.#closed) {
      throw new WritError(
        "ledger.unavailable",
        "This remote backend is closed; the ledger takes no more rows.",
      );
    }
    if (appends.length === 0) return [];
    const { records } = await this.#transport.json<{ records: LedgerRecord[] }>(
      "POST",
      "/v1/ledger/append",
      {
        body: { appends: appends.map(serializableAppend) },
      },
    );
    return records;
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

  async releaseBudgets(id: string): Promise<void> {
    this.#assertOpen();
    await this.#transport.json(
      "POST",
      `/v1/budgets/reservations/${encodeURIComponent(id)}/release`,
    );
  }

  /** Stops every live feed; later calls fail (appends with ledger.unavailable). */
  async close(): Promise<void> {
    this.#closed = true;
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

/**
 * A payload body with no JSON form is kept as its hash only, as the store
 * itself does, rather than failing the whole append (and so the call).
 */
function serializableAppend(append: LedgerAppend): LedgerAppend {
  if (!append.payloads) return append;
  const payloads = append.payloads.filter((payload) => {
    try {
      return JSON.stringify(payload.body) !== undefined;
    } catch {
      return false;
    }
  });
  return { entry: append.entry, payloads };
}
