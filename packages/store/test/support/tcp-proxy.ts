import { connect, createServer, type Server, type Socket } from "node:net";

/** A loopback TCP proxy to a server that a test can cut and restore: "Postgres went down mid-run". */
export interface TcpProxy {
  readonly port: number;
  /** Closes the listener and every open connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Stops forwarding bytes while keeping every connection open: a stalled network, not a closed one. */
  stall(): void;
  /** Forwards again what was held back, and everything after. */
  resume(): void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
  const connectPair = ([client, upstream]: [Socket, Socket]) => client.pipe(upstream).pipe(client);
  const disconnectPair = ([client, upstream]: [Socket, Socket]) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
  };
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        if (!stalled) connectPair(pair);
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
          pairs.delete(pair);
        };
        client.on("error", close).on("close", close);
        upstream.on("error", close).on("close", close);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  const port = await listen(0);
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
    restore: async () => {
      await listen(port);
    },
    stall: () => {
      stalled = true;
      for (const pair of pairs) disconnectPair(pair);
    },
    resume: () => {
      stalled = false;
      for (const pair of pairs) connectPair(pair);
    },
  };
}
