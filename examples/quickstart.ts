/**
 * The README's quick start: a ChatKit server that streams its answer word by word, mounted with
 * Hono (Web-standard) or node:http. Run: `npx tsx examples/quickstart.ts` (node:http on :8787).
 */
import http from "node:http";
import { Hono } from "hono";
import {
  ChatKitServer,
  InMemoryStore,
  toFetchHandler,
  toNodeHandler,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
} from "../src/index.js";

type Context = { userId: string };

export class EchoServer extends ChatKitServer<Context> {
  async *respond(thread: ThreadMetadata, input: UserMessageItem | null, context: Context, turn: Turn): AsyncIterable<ThreadStreamEvent> {
    const text = input?.content.map((part) => part.text).join(" ") ?? "";
    const item = {
      type: "assistant_message" as const,
      id: this.store.generateItemId("message", thread, context),
      thread_id: thread.id,
      created_at: new Date().toISOString(),
      content: [{ type: "output_text" as const, text: "", annotations: [] }],
    };
    yield { type: "thread.item.added", item };
    for (const word of `You said: ${text}`.split(" ")) {
      if (turn.signal.aborted) return; // Stop pressed: the partial answer is kept for us
      item.content[0]!.text += `${word} `;
      yield { type: "thread.item.updated", item_id: item.id, update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: `${word} ` } };
    }
    yield { type: "thread.item.done", item };
    thread.title ??= Array.from(text).slice(0, 40).join(""); // by code points: never half an emoji
  }
}

export const server = new EchoServer({ store: new InMemoryStore<Context>({ owner: (ctx) => ctx.userId }) });

// Hono (or any Web-standard runtime):
export const app = new Hono();
const chatkit = toFetchHandler(server, { context: (req) => ({ userId: req.headers.get("x-user-id") ?? "demo" }) });
app.post("/chatkit", (c) => chatkit(c.req.raw));

// node:http:
export const nodeHandler = toNodeHandler(server, { context: (req) => ({ userId: String(req.headers["x-user-id"] ?? "demo") }) });

if (import.meta.url === `file://${process.argv[1]}`) {
  http.createServer((req, res) => void nodeHandler(req, res)).listen(8787, () => console.log("ChatKit endpoint: http://localhost:8787/chatkit"));
}
