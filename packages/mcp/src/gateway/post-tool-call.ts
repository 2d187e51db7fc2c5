import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { JsonRpcFailure } from "../shared/json-rpc-failure.js";
import type { CallToolResult, LogMessage, Progress } from "../shared/mcp-sdk.js";

/** The MCP session the gateway holds with an HTTP upstream, which calls are posted in. */
export interface HttpUpstreamSession {
  readonly url: URL;
  readonly sessionId: string | undefined;
  readonly protocolVersion: string | undefined;
}

export interface HttpToolCall {
  readonly session: HttpUpstreamSession;
  /** The `Authorization` header: the token minted for this call. */
  readonly authorization: string;
  /** A JSON-RPC id no other request in the session uses. */
  readonly id: string;
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** The upstream's log messages on this call's stream. */
  readonly onLog?: (message: LogMessage) => void;
  /** Answers a request the upstream makes during the call (sampling, elicitation); without it, each is refused. */
  readonly onRequest?: (request: {
    readonly method: string;
    readonly params: unknown;
  }) => Promise<RelayAnswer>;
}

/** A JSON-RPC answer to a request from the upstream, without its id. */
export type RelayAnswer =
  | { readonly result: unknown }
  | {
      readonly error: { readonly code: number; readonly message: string; readonly data?: unknown };
    };

/** Why a posted call has no answer. */
export class HttpCallFailure extends Error {
  override readonly name = "HttpCallFailure";
  constructor(
    readonly kind: "timeout" | "aborted" | "session_expired" | "refused" | "closed",
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const agents = {
  http: new HttpAgent({ keepAlive: true }),
  https: new HttpsAgent({ keepAlive: true }),
};

/**
 * Posts one tools/call to a Streamable HTTP upstream and reads its answer, a
 * JSON body or an SSE stream (relaying this call's progress as it comes),
 * straight over a keep-alive connection. The SDK's client transport goes
 * through fetch and web streams, which costs more than the rest of a gateway
 * hop together; everything else the gateway says to an upstream still goes
 * through the SDK.
 */
export function postToolCall(call: HttpToolCall): Promise<CallToolResult> {
  const progressToken = call.onProgress ? call.id : undefined;
  const meta = { ...call.meta, ...(progressToken === undefined ? {} : { progressToken }) };
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: call.id,
    method: "tools/call",
    params: {
      name: call.name,
      arguments: call.args,
      ...(Object.keys(meta).length === 0 ? {} : { _meta: meta }),
    },
  });
  return new Promise<CallToolResult>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const fail = (failure: HttpCallFailure, cancel: boolean) => {
      finish(() => reject(failure));
      sent.destroy();
      if (cancel) notifyCancelled(call);
    };
    const onAbort = () =>
      fail(new HttpCallFailure("aborted", "The caller cancelled the call."), true);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(new HttpCallFailure("timeout", `No answer within ${call.timeoutMs} ms.`), true),
        call.timeoutMs,
      );
    };
    const handle = (message: unknown): void => {
      if (Array.isArray(message)) {
        for (const part of message) handle(part);
        return;
      }
      if (message === null || typeof message !== "object") return;
      const { id, method, params, result, error } = message as Record<string, unknown>;
      if (method === "notifications/progress" && progressToken !== undefined) {
        const update = params as Progress & { progressToken?: unknown };
        if (update?.progressToken === progressToken && typeof update.progress === "number") {
          arm();
          call.onProgress?.({
            progress: update.progress,
            ...(typeof update.total === "number" ? { total: update.total } : {}),
            ...(typeof update.message === "string" ? { message: update.message } : {}),
          });
        }
        return;
      }
      if (method === "notifications/message" && isLogMessage(params)) {
        call.onLog?.(params);
        return;
      }
      if (typeof method === "string" && (typeof id === "string" || typeof id === "number")) {
        // A request from the upstream (sampling, elicitation …): relayed when the
        // caller can answer it, otherwise refused at once rather than left waiting.
        const answered = call.onRequest
          ? call.onRequest({ method, params }).catch(
              (): RelayAnswer => ({
                error: { code: -32603, message: "The caller did not answer." },
              }),
            )
          : Promise.resolve<RelayAnswer>({ error: { code: -32601, message: "Method not found" } });
        void answered.then((answer) => reply(call, { jsonrpc: "2.0", id, ...answer }));
        return;
      }
      if (id !== call.id) return;
      if (error !== null && typeof error === "object") {
        const { code, message: text, data } = error as Record<string, unknown>;
        finish(() =>
          reject(
            new JsonRpcFailure(
              typeof code === "number" ? code : -32603,
              typeof text === "string" ? text : "The upstream answered with an error.",
              data,
            ),
          ),
        );
      } else if (result !== null && typeof result === "object") {
        finish(() => resolve(result as CallToolResult));
      } else {
        finish(() => reject(new JsonRpcFailure(-32603, "The upstream answered without a result.")));
      }
      sent.destroy();
    };
    const sent = post(call, body, (response) => read(response));
    const read = (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        response.resume();
        const failure =
          status === 404
            ? new HttpCallFailure(
                "session_expired",
                "The upstream no longer knows the session.",
                status,
              )
            : new HttpCallFailure("refused", `The upstream answered HTTP ${status}.`, status);
        fail(failure, false);
        return;
      }
      response.setEncoding("utf8");
      const streamed = (response.headers["content-type"] ?? "").includes("text/event-stream");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        if (!streamed) return;
        let end = eventEnd(buffer);
        while (end !== undefined) {
          handle(eventData(buffer.slice(0, end.at)));
          buffer = buffer.slice(end.at + end.length);
          end = eventEnd(buffer);
        }
      });
      response.on("end", () => {
        if (!streamed) handle(parse(buffer));
        fail(
          new HttpCallFailure("closed", "The upstream closed the stream without an answer."),
          false,
        );
      });
      response.on("error", () =>
        fail(new HttpCallFailure("closed", "The upstream connection failed."), false),
      );
    };
    sent.on("error", () =>
      fail(new HttpCallFailure("closed", "The upstream cannot be reached."), false),
    );
    if (call.signal?.aborted) {
      onAbort();
      return;
    }
    call.signal?.addEventListener("abort", onAbort, { once: true });
    arm();
    sent.end(body);
  });
}

/** Tells the upstream to stop a call nobody waits for any more (best effort). */
function notifyCancelled(call: HttpToolCall): void {
  reply(call, {
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId: call.id, reason: "The caller cancelled the call or it timed out." },
  });
}

/** Sends the upstream one message in the call's session, not waiting for its answer. */
function reply(call: HttpToolCall, message: unknown): void {
  const body = JSON.stringify(message);
  const sent = post(call, body, (response) => response.resume());
  sent.on("error", () => {});
  sent.end(body);
}

/** A POST in the call's session, with its token, over a keep-alive connection. */
function post(
  call: HttpToolCall,
  body: string,
  onResponse: (response: IncomingMessage) => void,
): ClientRequest {
  const { url, sessionId, protocolVersion } = call.session;
  const secure = url.protocol === "https:";
  return (secure ? httpsRequest : httpRequest)(
    url,
    {
      method: "POST",
      agent: secure ? agents.https : agents.http,
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "content-length": Buffer.byteLength(body),
        authorization: call.authorization,
        ...(sessionId ? { "mcp-session-id": sessionId } : {}),
        ...(protocolVersion ? { "mcp-protocol-version": protocolVersion } : {}),
      },
    },
    onResponse,
  );
}

function isLogMessage(params: unknown): params is LogMessage {
  return (
    params !== null &&
    typeof params === "object" &&
    typeof (params as { level?: unknown }).level === "string"
  );
}

function eventEnd(buffer: string): { at: number; length: number } | undefined {
  const match = /\r?\n\r?\n/.exec(buffer);
  return match ? { at: match.index, length: match[0].length } : undefined;
}

/** The JSON in an SSE event's `data:` lines, or undefined for a priming or comment event. */
function eventData(event: string): unknown {
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
  return data.length === 0 ? undefined : parse(data.join("\n"));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
