import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { NonStreamingResult, toFetchHandler, toNodeHandler } from "../../src/index.js";
import { assistantMessage } from "./script.js";
import { BenchServer, type BenchContext } from "./server.js";

/**
 * `bare`: a hand-rolled node:http SSE server with no SDK — the baseline the adapters are measured
 * against. `readable`: a fetch handler written by hand on `process()`, answering with
 * `result.toReadableStream()`, served like `fetch` by @hono/node-server.
 */
export type Adapter = "node" | "fetch" | "readable" | "bare";

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
  if (adapter === "bare") {
    httpServer = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) =>
      void bareStream(req, res, withHooks(contextOf((name) => req.headers[name] as string | undefined))),
    );
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", 4096, resolve));
  } else if (adapter === "node") {
    const handler = toNodeHandler(server, {
      context: (req) => withHooks(contextOf((name) => req.headers[name] as string | undefined)),
    });
    httpServer = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => void handler(req, res));
    // A deep backlog: a thousand clients connecting at once must not hit SYN retries.
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", 4096, resolve));
  } else {
    const context = (request: Request) => withHooks(contextOf((name) => request.headers.get(name)));
    const handler = adapter === "fetch" ? toFetchHandler(server, { context }) : readableHandler(server, context);
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

/** `process()` and `toReadableStream()` as an app would mount them, without the adapter's extras. */
function readableHandler(server: BenchServer, context: (request: Request) => BenchContext) {
  return async (request: Request): Promise<Response> => {
    const result = await server.process(await request.text(), context(request), { signal: request.signal });
    if (result instanceof NonStreamingResult) return new Response(result.json, { headers: { "content-type": "application/json" } });
    return new Response(result.toReadableStream(), { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  };
}

const preludeOf = () => {
  const created_at = new Date().toISOString();
  return [
    { type: "thread.created", thread: { ...bareThread, created_at, items: { data: [], has_more: false } } },
    {
      type: "thread.item.done",
      item: { type: "user_message", id: "msg_bare", thread_id: bareThread.id, created_at, content: [{ type: "input_text", text: "Hello" }], attachments: [], inference_options: {} },
    },
    { type: "stream_options", stream_options: { allow_cancel: true } },
  ];
};

const bareThread = { id: "thr_bare", created_at: new Date(0).toISOString(), status: { type: "active" as const }, metadata: {} };

/**
 * The least an SSE endpoint does for the same script: read and parse the body, write the headers,
 * then per event JSON + frame + write with backpressure, and stop the script when the client goes.
 * No validation, no store, no pipeline.
 */
async function bareStream(req: http.IncomingMessage, res: http.ServerResponse, context: BenchContext): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const abort = new AbortController();
  if (context.onAbort) abort.signal.addEventListener("abort", () => context.onAbort!(performance.now()), { once: true });
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  // The same three events the SDK sends before the handler's, so both sides send equal streams.
  for (const event of preludeOf()) res.write(`data: ${JSON.stringify(event)}\n\n`);
  const { deltas, paceMs, onDelta } = context;
  for await (const event of assistantMessage(bareThread, { deltas, paceMs, signal: abort.signal, onDelta })) {
    if (abort.signal.aborted) break;
    if (!res.write(`data: ${JSON.stringify(event)}\n\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  res.end();
}
