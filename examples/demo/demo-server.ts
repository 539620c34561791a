/**
 * The demo ChatKit server: a `ChatKitServer` whose answers come from a pluggable responder
 * (offline script or agent), plus `startDemo`, which serves it on node:http with the two demo
 * pages. `server.ts` only reads the environment and calls `startDemo`.
 */
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  ChatKitServer,
  toNodeHandler,
  type Action,
  type Logger,
  type Store,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
  type WidgetItem,
} from "../../src/index.js";
import { SQLiteStore } from "../../src/store/sqlite/index.js";
import { offlineResponder, type Responder } from "./offline-responder.js";

/** The demo has a single user; a real app derives this from its session. */
export interface DemoContext {
  userId: string;
}

/**
 * The demo's store. The one-line switch: replace with `new InMemoryStore<DemoContext>()` (from
 * `../../src/index.js`) for a store that forgets everything on restart.
 */
export function createDemoStore(dataDir: string): Store<DemoContext> {
  mkdirSync(dataDir, { recursive: true });
  return new SQLiteStore<DemoContext>({ path: path.join(dataDir, "chatkit.sqlite") });
}

/** A ChatKit server that delegates `respond` to a responder and answers the demo widget's button. */
export class DemoServer extends ChatKitServer<DemoContext> {
  readonly #responder: Responder<DemoContext>;

  constructor(options: { store: Store<DemoContext>; responder: Responder<DemoContext>; logger?: Logger }) {
    super({ store: options.store, ...(options.logger ? { logger: options.logger } : {}) });
    this.#responder = options.responder;
  }

  respond(thread: ThreadMetadata, input: UserMessageItem | null, context: DemoContext, turn: Turn): AsyncIterable<ThreadStreamEvent> {
    return this.#responder(this, thread, input, context, turn);
  }

  /** The offline widget's "Say hello" button: answers with one short assistant message. */
  override async *action(thread: ThreadMetadata, action: Action, _sender: WidgetItem | null, context: DemoContext): AsyncIterable<ThreadStreamEvent> {
    const text = action.type === "demo.hello" ? "Hello from the widget button! 👋" : `Unknown action \`${action.type}\`.`;
    yield {
      type: "thread.item.done",
      item: {
        type: "assistant_message",
        id: this.store.generateItemId("message", thread, context),
        thread_id: thread.id,
        created_at: new Date().toISOString(),
        content: [{ type: "output_text", text, annotations: [] }],
      },
    };
  }
}

/**
 * Which responder answers: the agent when OPENAI_API_KEY is set (loaded lazily, so the offline
 * demo never imports the Agents SDK), else the offline script.
 */
export async function defaultResponder(): Promise<Responder<DemoContext>> {
  if (!process.env.OPENAI_API_KEY) return offlineResponder();
  const { agentResponder } = await import("./agent-responder.js");
  return agentResponder();
}

/** Options of `startDemo`. */
export interface StartDemoOptions {
  /** 0 picks a free port. */
  port: number;
  /** Where the SQLite file lives; created if missing. */
  dataDir: string;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Default: `defaultResponder()` (agent with OPENAI_API_KEY, else offline). Tests pass one. */
  responder?: Responder<DemoContext>;
  logger?: Logger;
}

/** A running demo. */
export interface RunningDemo {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  server: DemoServer;
  /** Stops listening, drops open connections and closes the store. */
  close(): Promise<void>;
}

const PAGES: Record<string, string> = { "/": "index.html", "/playground": "playground.html" };

/** Serves one of the static demo pages; read on each request, so edits show on reload. */
async function servePage(file: string, res: http.ServerResponse): Promise<void> {
  const html = await readFile(new URL(`./${file}`, import.meta.url));
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(html);
}

/**
 * Starts the demo: `POST /chatkit` (the ChatKit endpoint), `GET /` (the official ChatKit web
 * component) and `GET /playground` (the offline protocol playground).
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const store = createDemoStore(options.dataDir);
  const responder = options.responder ?? (await defaultResponder());
  const server = new DemoServer({ store, responder, ...(options.logger ? { logger: options.logger } : {}) });
  const chatkit = toNodeHandler(server, { context: () => ({ userId: "demo" }) });

  const httpServer = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === "/chatkit") return void chatkit(req, res);
    const page = PAGES[pathname];
    if (page && (req.method === "GET" || req.method === "HEAD")) {
      servePage(page, res).catch((error: unknown) => {
        server.logger.error("Could not serve a demo page", error);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = httpServer.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    server,
    async close() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (store instanceof SQLiteStore) store.db.close();
    },
  };
}
