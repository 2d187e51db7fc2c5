import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isWritError } from "@writ/core";
import { afterEach, describe, expect, it } from "vitest";
import { HttpTransport } from "../src/http-transport.js";

/** A loopback server answering JSON, counting the connections it accepts. */
async function jsonServer(
  answer: (request: IncomingMessage, response: ServerResponse, served: number) => void,
  options: { requestTimeoutMs?: number } = {},
) {
  let connections = 0;
  let served = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      served++;
      answer(request, response, served);
    });
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const transport = new HttpTransport({
    url: `http://127.0.0.1:${port}`,
    apiKey: "writ_x.y",
    ...options,
  });
  servers.push({ close: () => server.close(), closeAll: () => server.closeAllConnections() });
  transports.push(transport);
  return { transport, connections: () => connections };
}

const servers: { close(): void; closeAll(): void }[] = [];
const transports: HttpTransport[] = [];
afterEach(() => {
  for (const transport of transports.splice(0)) transport.close();
  for (const server of servers.splice(0)) {
    server.closeAll();
    server.close();
  }
});

const ok = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
};

describe("the client's JSON calls", () => {
  it("reuse one kept-alive connection, call after call", async () => {
    const { transport, connections } = await jsonServer((request, response, served) =>
      ok(response, { served, authorization: request.headers.authorization }),
    );
    for (let call = 1; call <= 5; call++) {
      expect(await transport.json("POST", "/v1/ledger/append", { body: { call } })).toEqual({
        served: call,
        authorization: "Bearer writ_x.y",
      });
    }
    expect(connections()).toBe(1);
  });

  it("send a call again on a new connection when a kept-alive one is reset before any answer", async () => {
    const { transport, connections } = await jsonServer((request, response, served) => {
      // The server drops the second request's connection unanswered, as one closing an idle connection would.
      if (served === 2) request.socket.destroy();
      else ok(response, { served });
    });
    expect(await transport.json("POST", "/v1/ledger/append", { body: {} })).toEqual({ served: 1 });
    expect(await transport.json("POST", "/v1/ledger/append", { body: {} })).toEqual({ served: 3 });
    expect(connections()).toBe(2);
  });

  it("turn a problem document into its WritError, and an unreachable server into store.unavailable", async () => {
    const { transport } = await jsonServer((_request, response) => {
      response.writeHead(503, { "content-type": "application/problem+json" });
      response.end(JSON.stringify({ code: "store.unavailable", detail: "The store is down." }));
    });
    const failure = await transport.json("GET", "/v1/x").catch((error: unknown) => error);
    expect(isWritError(failure) && failure.code).toBe("store.unavailable");
    expect((failure as Error).message).toBe("The store is down.");
    const nowhere = new HttpTransport({ url: "http://127.0.0.1:9", apiKey: "writ_x.y" });
    transports.push(nowhere);
    const unreachable = await nowhere.json("GET", "/v1/x").catch((error: unknown) => error);
    expect(isWritError(unreachable) && unreachable.message).toMatch(/could not be reached/);
  });

  it("end a call unanswered within requestTimeoutMs, headers or body, as store.unavailable", async () => {
    const { transport } = await jsonServer(
      (_request, response, served) => {
        // The first call gets no answer at all; the second, its headers and half its body.
        if (served === 2) {
          response.writeHead(200, { "content-type": "application/json" });
          response.write('{"records":');
        }
      },
      { requestTimeoutMs: 100 },
    );
    for (const call of ["no answer", "half a body"]) {
      const failure = await transport
        .json("POST", "/v1/ledger/append", { body: { call } })
        .catch((error: unknown) => error);
      expect(isWritError(failure) && failure.code).toBe("store.unavailable");
      expect((failure as Error).message).toMatch(/did not answer within 100 ms/);
    }
  });

  it("end a call when the caller's signal aborts it", async () => {
    const { transport } = await jsonServer(() => {}, { requestTimeoutMs: 60_000 });
    const caller = new AbortController();
    const pending = transport.json("GET", "/v1/x", { signal: caller.signal });
    caller.abort();
    const failure = await pending.catch((error: unknown) => error);
    expect(isWritError(failure) && failure.code).toBe("store.unavailable");
    expect((failure as Error).message).toMatch(/could not be reached/);
  });
});
