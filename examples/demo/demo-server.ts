/**
 * The demo ChatKit server: a `ChatKitServer` whose answers come from a pluggable responder
 * (offline script or agent), plus `startDemo`, which serves it on node:http with the two demo
 * pages and the attachment routes. `server.ts` only reads the environment and calls `startDemo`.
 */
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  ChatKitServer,
  LocalAttachmentStore,
  toNodeHandler,
  type AttachmentStore,
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

  constructor(options: {
    store: Store<DemoContext>;
    responder: Responder<DemoContext>;
    attachmentStore?: AttachmentStore<DemoContext>;
    logger?: Logger;
  }) {
    super({
      store: options.store,
      ...(options.attachmentStore ? { attachmentStore: options.attachmentStore } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
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
 * Which responder answers: the AI SDK with Anthropic when ANTHROPIC_API_KEY is set, the agent
 * when OPENAI_API_KEY is set (each loaded lazily, so the offline demo imports neither SDK), else
 * the offline script.
 */
export async function defaultResponder(): Promise<Responder<DemoContext>> {
  if (process.env.ANTHROPIC_API_KEY) {
    const [{ aiSdkResponder }, { modelFromEnv }] = await Promise.all([import("./ai-sdk-responder.js"), import("../ai-sdk-server.js")]);
    return aiSdkResponder(modelFromEnv()!);
  }
  if (!process.env.OPENAI_API_KEY) return offlineResponder();
  const { agentResponder } = await import("./agent-responder.js");
  return agentResponder();
}

/** Options of `startDemo`. */
export interface StartDemoOptions {
  /** 0 picks a free port. */
  port: number;
  /** Where the SQLite file (and the `attachments` directory) live; created if missing. */
  dataDir: string;
  /**
   * The origin browsers use to reach the demo, e.g. `http://localhost:8000`. Upload and preview
   * URLs of attachments start with it, so it must be the page's origin (the playground uploads
   * with `fetch`, which CORS would refuse across origins). Default: `url` of the running demo.
   */
  publicUrl?: string;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Default: `defaultResponder()` (AI SDK with ANTHROPIC_API_KEY, agent with OPENAI_API_KEY, else offline). Tests pass one. */
  responder?: Responder<DemoContext>;
  logger?: Logger;
}

/** A running demo. */
export interface RunningDemo {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  server: DemoServer;
  /** The attachment store; its files are under `<dataDir>/attachments`. */
  attachments: LocalAttachmentStore<DemoContext>;
  /** Stops listening, drops open connections and closes the store. */
  close(): Promise<void>;
}

const PAGES: Record<string, string> = { "/": "index.html", "/playground": "playground.html" };

/** The attachment routes' path; everything below it goes to the ChatKit handler too. */
export const ATTACHMENTS_PATH = "/chatkit/attachments";

/** Whether the ChatKit handler serves this path: the endpoint or one of the attachment routes. */
function isChatKitPath(pathname: string): boolean {
  return pathname === "/chatkit" || pathname === ATTACHMENTS_PATH || pathname.startsWith(`${ATTACHMENTS_PATH}/`);
}

/** Serves one of the static demo pages; read on each request, so edits show on reload. */
async function servePage(file: string, res: http.ServerResponse): Promise<void> {
  const html = await readFile(new URL(`./${file}`, import.meta.url));
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(html);
}

/**
 * Starts the demo: `POST /chatkit` (the ChatKit endpoint), the attachment routes under
 * `/chatkit/attachments` (two-phase and direct upload, preview), `GET /` (the official ChatKit web
 * component) and `GET /playground` (the offline protocol playground).
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const store = createDemoStore(options.dataDir);
  const responder = options.responder ?? (await defaultResponder());
  const logger = options.logger ?? console;
  // Set right after `listen`: the attachment store's URLs need the port, which `port: 0` picks.
  let chatkit: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;

  const httpServer = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (isChatKitPath(pathname)) {
      if (chatkit) return void chatkit(req, res);
      return void res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end("Starting");
    }
    const page = PAGES[pathname];
    if (page && (req.method === "GET" || req.method === "HEAD")) {
      servePage(page, res).catch((error: unknown) => {
        logger.error("Could not serve a demo page", error);
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
  const url = `http://${host}:${port}`;

  const attachments = new LocalAttachmentStore<DemoContext>({
    directory: path.join(options.dataDir, "attachments"),
    baseUrl: `${(options.publicUrl ?? url).replace(/\/+$/, "")}${ATTACHMENTS_PATH}`,
    // The browser sends a request path, whatever origin `publicUrl` names (a proxy may differ).
    routePrefix: ATTACHMENTS_PATH,
  });
  const server = new DemoServer({ store, responder, attachmentStore: attachments, ...(options.logger ? { logger: options.logger } : {}) });
  chatkit = toNodeHandler(server, { context: () => ({ userId: "demo" }) });

  return {
    url,
    server,
    attachments,
    async close() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (store instanceof SQLiteStore) store.db.close();
    },
  };
}
