import type { Readable, Writable } from "node:stream";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import type { Session } from "@writ/core";
import { writFetch } from "@writ/mcp";
import { GATEWAY_REFUSED, refusalsAsErrors } from "./refusals-as-errors.js";

export interface StdioBridgeOptions {
  /** The gateway's MCP endpoint. */
  readonly url: URL;
  /** The agent's current session: its writ goes with every request, its key signs each call's proof here. */
  readonly session: () => Session;
  /** The audience of the proofs. Default: the endpoint's URL, as a Writ gateway's guard has it. */
  readonly audience?: string;
  readonly stdin: Readable;
  readonly stdout: Writable;
  /** What went wrong on the way, for the operator (stderr): never a token or an argument. */
  readonly report: (line: string) => void;
}

/**
 * Serves MCP on stdin and stdout for a local client (a desktop app, an IDE)
 * and relays every message between it and a Writ gateway over Streamable
 * HTTP, message for message: requests, responses, notifications (progress,
 * cancellation, list changes, logs) and the gateway's requests to the client
 * (sampling, elicitation, roots). The agent's key never leaves this process:
 * each request carries the writ, and each guarded call a proof signed here
 * for exactly that call. Resolves when the local client closes stdin.
 */
export async function runStdioBridge(options: StdioBridgeOptions): Promise<void> {
  const { report } = options;
  const remote = new StreamableHTTPClientTransport(options.url, {
    fetch: refusalsAsErrors(
      writFetch({
        session: options.session,
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      }),
    ),
  });
  const local = new StdioServerTransport(options.stdin, options.stdout);
  const initializing = new Set<string | number>();
  // What goes to the local client goes in order. A response is written a turn
  // after what came before it: SDK v1 clients handle a notification a
  // microtask late, so a progress notification read in the same chunk as its
  // request's response would find the request already settled and be lost.
  let delivered = Promise.resolve();
  const deliver = (message: JSONRPCMessage): void => {
    const isResponse = "id" in message && !("method" in message);
    delivered = delivered
      .then(() => (isResponse ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined))
      .then(() => local.send(message));
  };
  local.onmessage = (message) => {
    if (isInitializeRequest(message) && isJSONRPCRequest(message)) initializing.add(message.id);
    remote.send(message).catch((error: unknown) => {
      report(
        `could not reach the gateway: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (isJSONRPCRequest(message)) {
        deliver({
          jsonrpc: "2.0",
          id: message.id,
          error: { code: GATEWAY_REFUSED, message: "The Writ gateway could not be reached." },
        });
      }
    });
  };
  remote.onmessage = (message: JSONRPCMessage) => {
    // The session's protocol version goes on every later request, as the transport's client would set it.
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = message.result.protocolVersion;
      if (typeof version === "string") remote.setProtocolVersion(version);
    }
    deliver(message);
  };
  remote.onerror = (error) => report(`gateway stream: ${error.message}`);
  local.onerror = (error) => report(`stdin: ${error.message}`);
  const closed = new Promise<void>((resolve) => {
    local.onclose = () => resolve();
  });
  await remote.start();
  await local.start();
  options.stdin.once("end", () => void local.close());
  await closed;
  // The local client is gone: end its gateway session rather than leave it to idle out.
  await remote.terminateSession().catch(() => undefined);
  await remote.close();
}
