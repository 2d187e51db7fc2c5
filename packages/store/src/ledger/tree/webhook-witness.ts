import type { TreeHeadWitness } from "./tree-head-witness.js";

export interface WebhookWitnessOptions {
  /** Extra request headers, e.g. an authorization the endpoint asks for. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long to wait for the endpoint, in ms. Default 5000. */
  readonly timeoutMs?: number;
}

/**
 * A witness that POSTs each tree head as JSON to `url`; any answer but 2xx
 * is a failed delivery. Tree heads commit to the whole tree, so one that is
 * lost is covered by the next.
 */
export function webhookWitness(url: string, options: WebhookWitnessOptions = {}): TreeHeadWitness {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError("webhookWitness needs an http:// or https:// URL.");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new TypeError("webhookWitness needs an http:// or https:// URL.");
  const timeoutMs = options.timeoutMs ?? 5000;
  return async (head) => {
    const response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: JSON.stringify(head),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok)
      throw new Error(`The tree head witness at ${target.origin} answered ${response.status}.`);
  };
}
