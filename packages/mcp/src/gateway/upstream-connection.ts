import type { JsonRpcErrorBody, JsonRpcNotification } from "../shared/json-rpc.js";
import type { ProtocolEra } from "../shared/mcp-protocol.js";
import type { JsonObject } from "../shared/mcp-types.js";

/** A JSON-RPC answer to a request an upstream made, without its id. */
export type RelayAnswer =
  | { readonly result: Record<string, unknown> }
  | { readonly error: JsonRpcErrorBody };

/** A request an upstream makes of its client (sampling, elicitation, roots, ping). */
export interface UpstreamRequest {
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
}

/** How one request is sent and what is heard while it runs. */
export interface UpstreamRequestOptions {
  /** How long the request may go without an answer or progress, in ms. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Ask for progress: the request's own id becomes its progress token. */
  readonly progress?: boolean;
  /** HTTP: this request's Authorization header (a token minted for the call); default the gateway's own. */
  readonly authorization?: string;
  /** Modern: the client capabilities the request declares (the caller's). */
  readonly capabilities?: JsonObject;
  /** Modern: the log level the request asks for (the caller's); no log messages without one. */
  readonly logLevel?: string;
  /** Modern HTTP: `Mcp-Param-*` headers mirroring annotated arguments. */
  readonly headers?: Readonly<Record<string, string>>;
  /** What the upstream says about this request: progress and log messages. */
  readonly onNotification?: (notification: JsonRpcNotification) => void;
  /** Requests the upstream makes during this request (legacy era); without it, each is refused. */
  readonly onRequest?: (request: UpstreamRequest) => Promise<RelayAnswer>;
}

/** What a connection hears that none of the gateway's requests asked for. */
export interface UpstreamListener {
  /** List changes, resource updates, and (legacy) log messages outside any request. */
  onNotification(notification: JsonRpcNotification): void;
  /** Requests the upstream makes outside any request of the gateway's (legacy: the standalone stream, stdio). */
  onRequest(request: UpstreamRequest): Promise<RelayAnswer>;
  /** The connection is gone (closed, crashed, session lost); `reason` says how. */
  onClose(reason: string): void;
}

/** Why a request has no answer from the upstream. */
export class UpstreamFailure extends Error {
  override readonly name = "UpstreamFailure";
  constructor(
    readonly kind: "timeout" | "aborted" | "closed" | "session_expired" | "refused",
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** One MCP connection to an upstream server, in either protocol era. */
export interface UpstreamConnection {
  readonly era: ProtocolEra;
  readonly protocolVersion: string;
  /** The server's capabilities (initialize or server/discover). */
  readonly capabilities: JsonObject;
  readonly serverInfo: JsonObject | undefined;
  readonly instructions: string | undefined;
  /**
   * Sends a request. Resolves with the result; rejects with a JsonRpcFailure
   * when the upstream answered an error, an UpstreamFailure when it did not answer.
   */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: UpstreamRequestOptions,
  ): Promise<Record<string, unknown>>;
  /** Sends a notification (best effort). */
  notify(method: string, params?: Record<string, unknown>): void;
  close(): Promise<void>;
  /** Ends the server at once (a stdio process), for one that stopped answering. */
  kill(): void;
}

/** The capabilities a client declares, as JSON: what the gateway mirrors from a caller. */
export type ClientCapabilities = JsonObject;

/** A short form of an error for events and messages. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
