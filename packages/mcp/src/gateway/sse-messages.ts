import type { IncomingMessage } from "node:http";
import { createParser } from "eventsource-parser";

/**
 * Reads the JSON-RPC messages of an HTTP response, a JSON body or a
 * Server-Sent Events stream (one message per event's data), as they arrive.
 * Events without data (priming events, comments) and data that is not JSON
 * are skipped. `onEnd` runs once the response is over.
 */
export function readMessages(
  response: IncomingMessage,
  onMessage: (message: unknown, eventId: string | undefined) => void,
  onEnd: () => void,
): void {
  response.setEncoding("utf8");
  const streamed = (response.headers["content-type"] ?? "").includes("text/event-stream");
  if (streamed) {
    const parser = createParser({
      onEvent: (event) => {
        if (event.data.length === 0) return;
        const message = parse(event.data);
        if (message !== undefined) onMessage(message, event.id);
      },
    });
    response.on("data", (chunk: string) => parser.feed(chunk));
  } else {
    let body = "";
    response.on("data", (chunk: string) => {
      body += chunk;
    });
    response.on("end", () => {
      const message = body.length === 0 ? undefined : parse(body);
      if (message !== undefined) onMessage(message, undefined);
    });
  }
  response.on("end", onEnd);
  response.on("error", onEnd);
  response.on("aborted", onEnd);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
