import * as http from "node:http";
import * as https from "node:https";

/** A request's answer, its body read whole: what a JSON call needs of a response. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** What an exchange was asked to do: one request, answered within `timeoutMs`. */
export interface ExchangeInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** The caller's, when it gave one. */
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
}

/** An exchange's failure when no answer came within its timeoutMs. */
export class ExchangeTimeout extends Error {
  override readonly name = "ExchangeTimeout";
}

export interface Exchange {
  (url: URL, init: ExchangeInit): Promise<Answer>;
  /** Closes the idle connections it keeps. */
  close(): void;
}

/**
 * JSON requests over node:http(s) on kept-alive connections: a guard's ledger
 * append is one round trip on a connection already open. Measured on
 * loopback (issue 22), a request this way costs a quarter of the same one
 * through fetch, and HTTP/2 is no faster for calls one at a time (and needs
 * a second, h2c listener on the server). Idle
 * connections do not hold the process open, and are closed before the
 * server's keep-alive timeout (Node reads its hint), so a request rarely
 * meets a connection the server is closing; one that does (a reset before
 * any answer) is sent once more on a new connection.
 */
export function keepAliveExchange(): Exchange {
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };
  const send = (url: URL, init: ExchangeInit, retry: boolean): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const secure = url.protocol === "https:";
      const request = (secure ? https : http).request(
        url,
        {
          method: init.method,
          headers: {
            ...init.headers,
            ...(init.body === undefined ? {} : { "content-length": Buffer.byteLength(init.body) }),
          },
          agent: agents[secure ? "https:" : "http:"],
          ...(init.signal === undefined ? {} : { signal: init.signal }),
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            text += chunk;
          });
          response.on("end", () => {
            clearTimeout(deadline);
            resolve({
              status: response.statusCode ?? 0,
              contentType: response.headers["content-type"] ?? "",
              text,
            });
          });
          response.on("error", fail);
        },
      );
      // A timer that ends the request, rather than an AbortSignal per request: a
      // guard's append is on every call's path, and the signal's listeners cost more.
      const deadline = setTimeout(
        () => request.destroy(new ExchangeTimeout(`No answer within ${init.timeoutMs} ms.`)),
        init.timeoutMs,
      );
      deadline.unref();
      function fail(error: unknown): void {
        clearTimeout(deadline);
        reject(error);
      }
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (retry && request.reusedSocket && error.code === "ECONNRESET") {
          clearTimeout(deadline);
          resolve(send(url, init, false));
        } else fail(error);
      });
      request.end(init.body);
    });
  const exchange = ((url, init) => send(url, init, true)) as Exchange;
  exchange.close = () => {
    agents["http:"].destroy();
    agents["https:"].destroy();
  };
  return exchange;
}

/** The same exchange through a fetch implementation (one the caller gave). */
export function fetchExchange(fetchImplementation: typeof fetch): Exchange {
  const exchange = (async (url, init) => {
    const deadline = AbortSignal.timeout(init.timeoutMs);
    try {
      const response = await fetchImplementation(url.href, {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
      });
      return {
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
        text: await response.text(),
      };
    } catch (error) {
      throw deadline.aborted
        ? new ExchangeTimeout(`No answer within ${init.timeoutMs} ms.`)
        : error;
    }
  }) as Exchange;
  exchange.close = () => {};
  return exchange;
}
