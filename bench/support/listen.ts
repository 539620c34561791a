import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { toFetchHandler, toNodeHandler } from "../../src/index.js";
import { BenchServer, type BenchContext } from "./server.js";

export type Adapter = "node" | "fetch";

export interface Listening {
  url: string;
  server: BenchServer;
  close(): Promise<void>;
}

/** The script a request asks for, from its headers: `x-deltas`, `x-pace-ms`. */
function contextOf(header: (name: string) => string | null | undefined): BenchContext {
  return { deltas: Number(header("x-deltas") ?? 0), paceMs: Number(header("x-pace-ms") ?? 0) };
}

/**
 * Serves the bench server on 127.0.0.1 (an ephemeral port) through one of the two adapters.
 * `extend` lets a benchmark add to each request's context (the cancellation bench's hooks).
 */
export async function listen(adapter: Adapter, extend?: (context: BenchContext) => BenchContext): Promise<Listening> {
  const server = new BenchServer();
  const withHooks = (context: BenchContext) => (extend ? extend(context) : context);
  let httpServer: http.Server;
  if (adapter === "node") {
    const handler = toNodeHandler(server, {
      context: (req) => withHooks(contextOf((name) => req.headers[name] as string | undefined)),
    });
    httpServer = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => void handler(req, res));
    // A deep backlog: a thousand clients connecting at once must not hit SYN retries.
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", 4096, resolve));
  } else {
    const handler = toFetchHandler(server, {
      context: (request) => withHooks(contextOf((name) => request.headers.get(name))),
    });
    httpServer = await new Promise<http.Server>((resolve) => {
      const s = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, () => resolve(s as http.Server)) as http.Server;
    });
  }
  httpServer.maxConnections = 10_000;
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/chatkit`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections?.();
        httpServer.close(() => resolve());
      }),
  };
}
