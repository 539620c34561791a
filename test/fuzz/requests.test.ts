import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  AttachmentStore,
  toFetchHandler,
  toNodeHandler,
  type Attachment,
  type AttachmentCreateParams,
  type Store,
  type ThreadItem,
  type ThreadStreamEvent,
} from "../../src/index.js";
import { MemoryLogger, parseSse, TestServer, type TestContext } from "../support/helpers.js";
import { shippedStores, type StoreKind } from "../support/stores.js";

/*
 * Mutated request bodies of every type, sent through both adapters to a server on each of the
 * three stores. Seeded and bounded: FUZZ_BODIES (default 1500) and FUZZ_SEED (default fixed) make
 * a longer or different run reproducible. Every failure names the seed and the body.
 *
 * For every body: never a 5xx, never an error logged; a 4xx carries `{"error": "..."}` naming the
 * problem and wrote nothing to the store; the three stores answer the same status and error; a
 * streamed answer carries no `error` event but the one the protocol defines (an action whose
 * sender is not a widget).
 */
const BODIES = Number(process.env.FUZZ_BODIES ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** mulberry32: a small, fast, seeded PRNG. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fuzzer = { id: "fuzz" } as const;
const user: TestContext = { userId: "fuzz" };
const other: TestContext = { userId: "other" };
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();

/** The records every store starts from (and returns to after an accepted request). */
function fixtures(): { context: TestContext; threads: { id: string; items: ThreadItem[] }[]; attachments: Attachment[] }[] {
  const item = (thread_id: string, ms: number, rest: Record<string, unknown>) => ({ thread_id, created_at: at(ms), ...rest }) as ThreadItem;
  const text = (value: string) => [{ type: "input_text", text: value }];
  return [
    {
      context: user,
      threads: [
        {
          id: "thr_chat",
          items: [
            item("thr_chat", 1, { type: "user_message", id: "msg_user", content: text("hello"), attachments: [], inference_options: {} }),
            item("thr_chat", 2, { type: "assistant_message", id: "msg_answer", content: [{ type: "output_text", text: "hi", annotations: [] }] }),
            item("thr_chat", 3, { type: "widget", id: "msg_widget", widget: { type: "Card", children: [{ type: "Button", label: "Go", onClickAction: { type: "go" } }] } }),
          ],
        },
        {
          id: "thr_tool",
          items: [
            item("thr_tool", 1, { type: "user_message", id: "msg_ask", content: text("weather?"), attachments: [], inference_options: {} }),
            item("thr_tool", 2, { type: "client_tool_call", id: "tc_call", status: "pending", call_id: "call_1", name: "weather", arguments: { city: "Paris" } }),
          ],
        },
        {
          id: "thr_input",
          items: [
            item("thr_input", 1, { type: "structured_input", id: "si_input", status: "pending", inputs: [{ type: "multiple_choice", id: "q1", question: "Pick", options: [{ value: "a" }, { value: "b" }], multiple: false }] }),
          ],
        },
      ],
      attachments: [{ type: "file", id: "atc_fuzz", name: "a.txt", mime_type: "text/plain" }],
    },
    {
      context: other,
      threads: [{ id: "thr_other", items: [item("thr_other", 1, { type: "user_message", id: "msg_other", content: text("secret"), attachments: [], inference_options: {} })] }],
      attachments: [{ type: "file", id: "atc_other", name: "b.txt", mime_type: "text/plain" }],
    },
  ];
}

async function seed(store: Store<TestContext>): Promise<void> {
  for (const { context, threads, attachments } of fixtures()) {
    for (const attachment of attachments) {
      await store.deleteAttachment(attachment.id, context);
      await store.saveAttachment(attachment, context);
    }
    for (const [index, { id, items }] of threads.entries()) {
      await store.deleteThread(id, context);
      await store.createThread({ id, created_at: at(index), status: { type: "active" }, metadata: {} }, { items }, context);
    }
  }
}

/** One valid body of every request type, naming the fixtures. */
const BASES: readonly Record<string, unknown>[] = [
  { type: "threads.create", params: { input: { content: [{ type: "input_text", text: "hi" }, { type: "input_tag", id: "t1", text: "Doc", data: { kind: "doc", n: [1, { x: null }] }, group: "g", interactive: true }], attachments: ["atc_fuzz"], quoted_text: "q", inference_options: { tool_choice: { id: "tool" }, model: "m" } } }, metadata: { trace: "x" } },
  { type: "threads.add_user_message", params: { thread_id: "thr_chat", input: { content: [{ type: "input_text", text: "more" }], attachments: [], inference_options: {} } } },
  { type: "threads.add_client_tool_output", params: { thread_id: "thr_tool", result: { temp: 21, ok: true, list: ["a", null] } } },
  { type: "threads.add_structured_input", params: { thread_id: "thr_input", item_id: "si_input", input: { status: "answered", answers: { q1: { values: ["a"], skipped: false } } } } },
  { type: "threads.retry_after_item", params: { thread_id: "thr_chat", item_id: "msg_user" } },
  { type: "threads.custom_action", params: { thread_id: "thr_chat", item_id: "msg_widget", action: { type: "go", payload: { n: 1 } } } },
  { type: "threads.sync_custom_action", params: { thread_id: "thr_chat", item_id: "msg_widget", action: { type: "go", payload: null } } },
  { type: "threads.get_by_id", params: { thread_id: "thr_chat" } },
  { type: "threads.list", params: { limit: 5, order: "asc", after: "thr_chat" } },
  { type: "threads.update", params: { thread_id: "thr_chat", title: "New title" } },
  { type: "threads.delete", params: { thread_id: "thr_input" } },
  { type: "items.list", params: { thread_id: "thr_chat", limit: 2, order: "desc", after: "msg_widget" } },
  { type: "items.feedback", params: { thread_id: "thr_chat", item_ids: ["msg_answer"], kind: "positive" } },
  { type: "attachments.create", params: { name: "photo.png", size: 10, mime_type: "image/png" } },
  { type: "attachments.delete", params: { attachment_id: "atc_fuzz" } },
  { type: "input.transcribe", params: { audio_base64: "aGVsbG8=", mime_type: "audio/webm;codecs=opus" } },
];

const DEEP = "\u0001deep:"; // placeholder for raw nested JSON (JSON.stringify overflows on it)
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** A request body as sent: text or raw bytes, and its content type. */
interface Body {
  payload: string | Uint8Array;
  contentType: string | undefined;
  description: string;
}

function mutator(next: () => number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const int = (max: number) => Math.floor(next() * max);
  const adversarial = (): unknown =>
    pick<() => unknown>([
      () => "\u0000",
      () => `a\u0000b`,
      () => "\ud83d",
      () => `x\udc00y`,
      () => "😀".repeat(3),
      () => "",
      () => "x".repeat(300_000),
      () => `${DEEP}${pick([70, 3_000, 100_000])}`,
      () => pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]),
      () => pick([true, false, null]),
      () => [],
      () => ({}),
      () => [1, "a", null, { b: [] }],
      () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{}}}'),
      () => Array.from({ length: 5_000 }, (_, i) => i),
      () => pick(["thr_other", "msg_other", "atc_other", "thr_missing", "msg_widget", "msg_user", "tc_call", "si_input", "thr_chat"]),
      () => pick(["threads.create", "threads.list", "items.feedback", "positive", "answered", "asc", "DESC"]),
    ])();

  /** Every [container, key] in a JSON value, the root's keys included. */
  function slots(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
    if (Array.isArray(value)) value.forEach((child, i) => (out.push([value, i]), slots(child, out)));
    else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        out.push([value as Record<string, unknown>, key]);
        slots(child, out);
      }
    }
    return out;
  }

  const structural = [
    (body: Record<string, unknown>) => {
      const all = slots(body);
      if (all.length === 0) return "nothing to set";
      const [container, key] = pick(all);
      (container as Record<string | number, unknown>)[key] = adversarial();
      return `set ${key}`;
    },
    (body: Record<string, unknown>) => {
      const all = slots(body);
      if (all.length === 0) return "nothing to delete";
      const [container, key] = pick(all);
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
      return `delete ${key}`;
    },
    (body: Record<string, unknown>) => {
      const objects = slots(body).map(([c, k]) => (c as Record<string | number, unknown>)[k]).filter((v) => v && typeof v === "object" && !Array.isArray(v));
      const target = (objects.length > 0 ? pick([body, ...objects]) : body) as Record<string, unknown>;
      target[pick(["extra", "__proto__", "type", "id", "\u0000", "😀"])] = adversarial();
      return "add field";
    },
    (body: Record<string, unknown>) => {
      body.type = pick([...BASES.map((b) => b.type as string), "threads.explode", "", 7]);
      return `type ${String(body.type)}`;
    },
  ];

  function encode(value: unknown): string {
    return JSON.stringify(value).replace(/"\\u0001deep:(\d+)"/g, (_, depth: string) => nested(Number(depth)));
  }

  return function body(): Body {
    const base = structuredClone(pick(BASES)) as Record<string, unknown>;
    const steps: string[] = [`${base.type}`];
    let root: unknown = base;
    for (let i = 1 + int(3); i > 0; i--) {
      if (next() < 0.04) {
        root = adversarial();
        steps.push("replace the body");
      } else if (root && typeof root === "object" && !Array.isArray(root)) {
        steps.push(pick(structural)(root as Record<string, unknown>));
      }
    }
    let payload: string | Uint8Array = encode(root);
    const roll = next();
    if (roll < 0.05) {
      payload = payload.slice(0, int(payload.length));
      steps.push("truncate");
    } else if (roll < 0.1) {
      const bytes = new TextEncoder().encode(payload);
      const at = int(bytes.length);
      const junk = pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98]]);
      payload = new Uint8Array([...bytes.subarray(0, at), ...junk, ...bytes.subarray(at)]);
      steps.push("invalid UTF-8");
    } else if (roll < 0.13) {
      const at = int(payload.length);
      payload = payload.slice(0, at) + pick(["\u0000", "}", "\"", "\\", "\ud800"]) + payload.slice(at + 1);
      steps.push("flip a character");
    }
    const contentType = next() < 0.03 ? pick([undefined, "text/plain", "application/x-www-form-urlencoded"]) : "application/json";
    const shown = typeof payload === "string" ? payload : `bytes ${Buffer.from(payload).toString("latin1")}`;
    return { payload, contentType, description: `${steps.join(", ")}: ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}` };
  };
}

/** A store whose writes are counted, to check that a refused request wrote nothing. */
function counted(store: Store<TestContext>): { store: Store<TestContext>; writes(): number } {
  const WRITES = new Set(["saveThread", "createThread", "addThreadItem", "saveItem", "deleteThreadItem", "deleteThread", "saveAttachment", "addAttachment", "deleteAttachment"]);
  let writes = 0;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (WRITES.has(property as string)) {
        return (...args: unknown[]) => {
          writes++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { store: proxy, writes: () => writes };
}

class FuzzAttachments extends AttachmentStore<TestContext> {
  override async createAttachment(params: AttachmentCreateParams, context: TestContext): Promise<Attachment> {
    return { type: "file", id: this.generateAttachmentId(params.mime_type, context), name: params.name, mime_type: params.mime_type };
  }
  async deleteAttachment(): Promise<void> {}
}

class FuzzServer extends TestServer {
  override async transcribe() {
    return { text: "heard" };
  }
}

interface Target {
  kind: StoreKind;
  server: FuzzServer;
  logger: MemoryLogger;
  raw: Store<TestContext>;
  writes(): number;
  node: string;
  fetch: (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

async function target(kind: StoreKind): Promise<Target> {
  const raw = kind.create<TestContext>({ owner: (c) => c.userId });
  const { store, writes } = counted(raw);
  const logger = new MemoryLogger();
  const server = new FuzzServer(
    {
      async *respond(thread, input) {
        yield { type: "thread.item.done", item: { type: "assistant_message", id: `msg_${Math.random().toString(16).slice(2)}`, thread_id: thread.id, created_at: at(9), content: [{ type: "output_text", text: `echo ${input?.content.length ?? 0}`, annotations: [] }] } };
      },
      async *action() {},
      syncAction: async () => ({}),
    },
    { store, attachmentStore: new FuzzAttachments(), logger },
  );
  await seed(raw);
  const context = (header: string | null | undefined): TestContext => ({ userId: header ?? "fuzz" });
  const nodeHandler = toNodeHandler(server, { context: (req) => context(req.headers["x-user"] as string | undefined) });
  const httpServer = http.createServer((req, res) => void nodeHandler(req, res)).listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  return {
    kind,
    server,
    logger,
    raw,
    writes,
    node: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/chatkit`,
    fetch: toFetchHandler(server, { context: (req) => context(req.headers.get("x-user")) }),
    close: () => new Promise((resolve) => { httpServer.closeAllConnections(); httpServer.close(() => resolve()); }),
  };
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

async function send(into: Target, adapter: "node" | "fetch", body: Body): Promise<Answer> {
  const headers: Record<string, string> = { "x-user": fuzzer.id };
  if (body.contentType) headers["content-type"] = body.contentType;
  const init = { method: "POST", headers, body: body.payload };
  const response = adapter === "node" ? await fetch(into.node, init) : await into.fetch(new Request("http://fuzz.local/chatkit", init));
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}

/** Error events a 200 stream may carry by design: an action whose sender is not a widget. */
const expectedErrors = (events: ThreadStreamEvent[]) =>
  events.length === 1 && events[0]!.type === "error" && events[0]!.code === "stream.error" && events[0]!.allow_retry === false;

/** Accepted requests of these types change what later bodies find. */
const RESEED_AFTER = new Set(["threads.add_user_message", "threads.add_client_tool_output", "threads.add_structured_input", "threads.retry_after_item", "threads.delete", "attachments.delete"]);

function requestType(body: Body): string | undefined {
  try {
    const { type } = JSON.parse(typeof body.payload === "string" ? body.payload : new TextDecoder().decode(body.payload)) as { type?: unknown };
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

const stores = shippedStores();

describe(`fuzz: ${BODIES} mutated bodies (seed ${SEED}), both adapters, every store`, () => {
  const targets: Target[] = [];
  before(async () => {
    for (const kind of stores.kinds) if (!kind.skip) targets.push(await target(kind));
  });
  after(async () => {
    for (const t of targets) await t.close();
    await stores.cleanup();
  });

  test("never a 5xx; 4xx name the problem and write nothing; every store answers alike", async (t) => {
    const next = random(SEED);
    const body = mutator(next);
    const tally = new Map<number, number>();
    for (let i = 0; i < BODIES; i++) {
      const request = body();
      const adapter = i % 2 === 0 ? "node" : "fetch";
      const where = `seed ${SEED}, body #${i} via ${adapter}: ${request.description}`;
      // The stores are independent servers: each gets the body at once.
      const answers = await Promise.all(
        targets.map(async (into) => {
          const writesBefore = into.writes();
          const answer = await send(into, adapter, request);
          const on = `${into.kind.name}, ${where}`;
          assert.ok(answer.status < 500, `${answer.status} ${answer.text} (${on})`);
          assert.deepEqual(into.logger.errors, [], on);
          if (answer.status >= 400) {
            assert.match(answer.contentType ?? "", /^application\/json/, on);
            const error = (JSON.parse(answer.text) as { error?: unknown }).error;
            assert.ok(typeof error === "string" && error.length > 0, `no error message: ${answer.text} (${on})`);
            assert.equal(into.writes(), writesBefore, `a refused request wrote to the store (${on})`);
          } else if (answer.contentType?.startsWith("text/event-stream")) {
            const events = parseSse(answer.text);
            const errors = events.filter((event) => event.type === "error");
            assert.ok(errors.length === 0 || expectedErrors(events), `${JSON.stringify(errors)} (${on})`);
          }
          return answer;
        }),
      );
      const [first, ...rest] = answers;
      for (const [k, answer] of rest.entries()) {
        const same = (a: Answer) => ({ status: a.status, error: a.status >= 400 ? a.text : undefined });
        assert.deepEqual(same(answer), same(first!), `${targets[k + 1]!.kind.name} differs from ${targets[0]!.kind.name} (${where})`);
      }
      tally.set(first!.status, (tally.get(first!.status) ?? 0) + 1);
      // An accepted request that used up a fixture (answered the tool call, deleted a thread...):
      // start the next body from the fixtures again.
      if (first!.status < 300 && RESEED_AFTER.has(requestType(request) ?? "")) await Promise.all(targets.map((into) => seed(into.raw)));
    }
    t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
    // The fuzzer reaches both sides: accepted bodies and refused ones.
    assert.ok((tally.get(200) ?? 0) > BODIES / 20, JSON.stringify([...tally]));
    assert.ok((tally.get(400) ?? 0) > BODIES / 4, JSON.stringify([...tally]));
  });
});
