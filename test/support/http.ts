import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { toFetchHandler, toNodeHandler, type ChatKitServer, type HandlerOptions, type ThreadStreamEvent } from "../../src/index.js";
import { deferred, parseSse } from "./helpers.js";

/** A server listening on a loopback port. */
export interface Mounted {
  url: string;
  close(): Promise<void>;
}

/** How a test builds the context of each request, from its headers. */
export type ContextOf<C> = (headers: Headers) => C | Promise<C>;

type AdapterOptions = Omit<HandlerOptions<unknown, unknown>, "context">;

const closer = (server: http.Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** `toNodeHandler` on a node:http server. */
export async function mountNode<C>(server: ChatKitServer<C>, context: ContextOf<C>, options: AdapterOptions = {}): Promise<Mounted> {
  const handler = toNodeHandler(server, {
    ...options,
    context: (req) => context(new Headers(req.headers as Record<string, string>)),
  });
  const httpServer = http.createServer((req, res) => void handler(req, res));
  httpServer.listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  const { port } = httpServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/chatkit`, close: closer(httpServer) };
}

/** `toFetchHandler` in a Hono app on @hono/node-server. */
export async function mountFetch<C>(server: ChatKitServer<C>, context: ContextOf<C>, options: AdapterOptions = {}): Promise<Mounted> {
  const handler = toFetchHandler(server, { ...options, context: (request) => context(request.headers) });
  const app = new Hono();
  app.all("/chatkit", (c) => handler(c.req.raw));
  const listening = deferred<AddressInfo>();
  const httpServer = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => listening.resolve(info));
  const { port } = await listening.promise;
  return { url: `http://127.0.0.1:${port}/chatkit`, close: closer(httpServer as http.Server) };
}

/** Both adapters, by name. */
export const adapters = [
  ["toNodeHandler", mountNode],
  ["toFetchHandler", mountFetch],
] as const;

export const post = (url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
    signal,
  });

/** POSTs a non-streaming request and returns its status and JSON. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await post(url, body, headers);
  return { status: response.status, json: await response.json() };
}

/** A streaming response read event by event, as the browser client reads it. */
export class EventStream {
  readonly events: ThreadStreamEvent[] = [];
  /** Everything received, comments included. */
  text = "";
  readonly #controller: AbortController;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";
  #ended = false;

  private constructor(controller: AbortController, reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#controller = controller;
    this.#reader = reader;
  }

  /** Opens a stream; rejects unless the server answers 200 text/event-stream. */
  static async open(url: string, body: unknown, headers: Record<string, string> = {}): Promise<EventStream> {
    const controller = new AbortController();
    const response = await post(url, body, headers, controller.signal);
    if (response.status !== 200 || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
      throw new Error(`expected a stream, got ${response.status}: ${await response.text()}`);
    }
    return new EventStream(controller, response.body!.getReader());
  }

  /** The next event, or undefined once the stream has ended. */
  async next(): Promise<ThreadStreamEvent | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = this.#buffer.slice(0, end + 2);
        this.#buffer = this.#buffer.slice(end + 2);
        const [event] = parseSse(frame);
        if (!event) continue; // a comment
        this.events.push(event);
        return event;
      }
      if (this.#ended) return undefined;
      const { done, value } = await this.#reader.read();
      if (done) this.#ended = true;
      else {
        const chunk = this.#decoder.decode(value, { stream: true });
        this.text += chunk;
        this.#buffer += chunk;
      }
    }
  }

  /** Reads until an event matches; rejects if the stream ends first. */
  async until(match: (event: ThreadStreamEvent) => boolean): Promise<ThreadStreamEvent> {
    for (;;) {
      const event = await this.next();
      if (!event) throw new Error(`stream ended before the expected event; got ${JSON.stringify(this.events)}`);
      if (match(event)) return event;
    }
  }

  /** Reads to the end; returns every event of the stream. */
  async rest(): Promise<ThreadStreamEvent[]> {
    while (await this.next());
    return this.events;
  }

  /** Closes the connection, as the browser does on Stop. */
  hangUp(): void {
    this.#controller.abort();
  }
}

/** Reads a whole stream. */
export async function streamEvents(url: string, body: unknown, headers: Record<string, string> = {}): Promise<EventStream> {
  const stream = await EventStream.open(url, body, headers);
  await stream.rest();
  return stream;
}
