/**
 * The floor of the MCP gateway benchmark: a bare pass-through proxy in a
 * process of its own, doing what any proxy in front of an MCP server must do
 * and nothing Writ does. `http <url>`: relays each request to the upstream
 * over keep-alive connections and streams the answer back. `stdio <command>
 * <args…>`: starts the server and bridges Streamable HTTP to its stdio, one
 * JSON-RPC message a line, renumbering request ids so that clients cannot
 * collide. Prints `listening <url>`; exits when its stdin closes.
 */
import { spawn } from "node:child_process";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";

const [mode, target, ...rest] = process.argv.slice(2);

function readBody(req: import("node:http").IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

let handle: (
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
) => void;
if (mode === "http") {
  const upstream = new URL(target as string);
  const agent = new Agent({ keepAlive: true });
  handle = (req, res) => {
    const forwarded = request(
      upstream,
      { method: req.method, agent, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", () => res.destroy());
    req.pipe(forwarded);
  };
} else {
  const child = spawn(target as string, rest, { stdio: ["pipe", "pipe", "inherit"] });
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let next = 0;
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const resolve = typeof message.id === "number" ? waiting.get(message.id) : undefined;
    if (resolve === undefined) return;
    waiting.delete(message.id as number);
    resolve(message);
  });
  let initialized: Record<string, unknown> | undefined;
  handle = (req, res) => {
    void readBody(req).then(async (body) => {
      const message = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      if (!("id" in message)) {
        res.writeHead(202).end();
        return;
      }
      const id = ++next;
      // One server process serves every client: it is initialized once.
      const answer =
        message.method === "initialize" && initialized !== undefined
          ? initialized
          : await new Promise<Record<string, unknown>>((resolve) => {
              waiting.set(id, resolve);
              child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
              if (message.method === "initialize") {
                child.stdin.write(
                  `${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`,
                );
              }
            });
      if (message.method === "initialize") initialized = answer;
      const response = JSON.stringify({ ...answer, id: message.id });
      res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "bare" });
      res.end(response);
    });
  };
}

const server = createServer((req, res) => {
  // The stdio bridge has no stream of its own to offer (GET) and nothing to end (DELETE).
  if (mode !== "http" && req.method !== "POST") {
    res.writeHead(req.method === "DELETE" ? 200 : 405).end();
    return;
  }
  handle(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `listening http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp\n`,
  );
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
