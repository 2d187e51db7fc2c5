/**
 * The systems the agents work with, in memory: a support queue and a
 * payments service. In your application these are your ticketing system and
 * your payment provider; Writ never sees inside them.
 */

export interface RefundRequest {
  readonly order: string;
  readonly customer: string;
  readonly amount: number;
  readonly currency: "USD" | "EUR";
  readonly reason: string;
}

/** This morning's queue: five requests from one customer, a pattern payments watches for. */
export const REFUND_QUEUE: readonly RefundRequest[] = [
  {
    order: "A-1001",
    customer: "C-1042",
    amount: 20,
    currency: "USD",
    reason: "item arrived damaged",
  },
  { order: "A-1002", customer: "C-1042", amount: 120, currency: "USD", reason: "delivered late" },
  {
    order: "A-1003",
    customer: "C-1042",
    amount: 500,
    currency: "USD",
    reason: "wants a full refund",
  },
  { order: "A-1004", customer: "C-1042", amount: 45, currency: "EUR", reason: "wrong size" },
  { order: "A-1005", customer: "C-1042", amount: 30, currency: "USD", reason: "duplicate charge" },
];

export class SupportDesk {
  readonly #requests: readonly RefundRequest[];

  constructor(requests: readonly RefundRequest[] = REFUND_QUEUE) {
    this.#requests = requests;
  }

  openRequests(): readonly RefundRequest[] {
    return this.#requests;
  }

  find(order: string): RefundRequest | undefined {
    return this.#requests.find((request) => request.order === order);
  }
}

export interface Refund {
  readonly order: string;
  readonly customer: string;
  readonly amount: number;
  readonly currency: string;
  /** The writ hop that authorized the refund, kept so payments and Writ's ledger can be joined. */
  readonly writHop: string;
  readonly at: number;
}

export interface VelocityAlert {
  readonly customer: string;
  readonly refunds: number;
  readonly windowMinutes: number;
  /** The hop behind the refund that tripped the alert. */
  readonly writHop: string;
}

/**
 * Payments: makes refunds, and raises a velocity alert on the third refund
 * to one customer within ten minutes. The alert handler runs before the
 * refund call returns, so whatever it does (here: revoke the worker's writ)
 * is in force before the agent makes its next call.
 */
export class Payments {
  static readonly WINDOW_MS = 10 * 60_000;
  static readonly ALERT_AT = 3;

  readonly refunds: Refund[] = [];
  readonly #onAlert: (alert: VelocityAlert) => Promise<void>;
  readonly #now: () => number;

  constructor(onAlert: (alert: VelocityAlert) => Promise<void>, now: () => number = Date.now) {
    this.#onAlert = onAlert;
    this.#now = now;
  }

  async refund(input: Omit<Refund, "at">): Promise<Refund> {
    const refund = { ...input, at: this.#now() };
    this.refunds.push(refund);
    const recent = this.refunds.filter(
      (r) => r.customer === refund.customer && refund.at - r.at < Payments.WINDOW_MS,
    ).length;
    if (recent >= Payments.ALERT_AT) {
      await this.#onAlert({
        customer: refund.customer,
        refunds: recent,
        windowMinutes: Payments.WINDOW_MS / 60_000,
        writHop: refund.writHop,
      });
    }
    return refund;
  }
}
