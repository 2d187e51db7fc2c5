/** One tool invocation as the guard sees it (DESIGN §1). */
export interface Call {
  /** The action performed, e.g. `refunds.approve`. */
  readonly action: string;
  /** The tool's name in its framework. */
  readonly tool: string;
  /**
   * The parsed arguments, exactly as the tool receives them: conditions are
   * evaluated on these, the ledger records their hash, and the proof's `ahs`
   * hashes them unless `sentArgs` is given.
   */
  readonly args: unknown;
  /**
   * The arguments as the caller sent and signed them, when the tool's schema
   * parses them into `args` (transforms, coercions, defaults): the proof is
   * checked against these, and everything else against `args`. For adapters
   * whose callers sign before the tool's schema runs (an MCP server).
   */
  readonly sentArgs?: unknown;
  /** The framework's tool call id (or a fresh one). Ledger rows of one call share it. */
  readonly callId: string;
  /** The serialized writ. */
  readonly writ: string;
  /** The invocation proof signed by the leaf key for exactly this call. */
  readonly proof: string;
  /** An approval id, when retrying a call a human approved. */
  readonly approvalId?: string;
  /** Which adapter made the call (`langchain`, `ai-sdk`, `mcp` …), for the ledger. */
  readonly adapter?: string;
  /** Present when the call arrived over HTTP: the proof must be bound to it (DPoP's htm/htu/ath). */
  readonly http?: { readonly method: string; readonly url: string };
}

/** What an adapter knows about a call before the session signs it. */
export interface CallInput {
  readonly action: string;
  readonly tool: string;
  readonly args: unknown;
  readonly callId?: string;
  readonly approvalId?: string;
  readonly adapter?: string;
}
