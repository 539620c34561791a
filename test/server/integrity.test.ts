import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  AttachmentStore,
  DEFAULT_JSON_LIMITS,
  NotFoundError,
  RequestError,
  type Attachment,
  type AttachmentCreateParams,
  type ChatKitServer,
  type FeedbackKind,
  type ThreadItem,
} from "../../src/index.js";
import { call, create, createdThreadId, ctx, MemoryLogger, stream, TestServer, type TestContext } from "../support/helpers.js";
import { shippedStores } from "../support/stores.js";

/** The status and message `process` refuses `request` (a body, or a value to stringify) with. */
async function refusal<C>(server: ChatKitServer<C>, request: unknown, context: C): Promise<{ status: number; message: string }> {
  try {
    await server.process(typeof request === "string" ? request : JSON.stringify(request), context);
  } catch (error) {
    assert.ok(error instanceof RequestError, String(error));
    return { status: error.status, message: error.message };
  }
  assert.fail("the request was accepted");
}

/** `{"a":{"a":...}}` nested `depth` levels, as JSON text (JSON.stringify itself overflows on deep values). */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;
const tagRequest = (data: string) =>
  `{"type":"threads.create","params":{"input":{"content":[{"type":"input_text","text":"see"},{"type":"input_tag","id":"t","text":"T","data":${data}}]}}}`;

const stores = shippedStores();
after(() => stores.cleanup());

for (const kind of stores.kinds) {
  describe(`bad input never reaches the ${kind.name} store`, { skip: kind.skip }, () => {
    const newServer = () => new TestServer({}, { store: kind.create<TestContext>({ owner: (c) => c.userId }), logger: new MemoryLogger() });

    test("an id with NUL is a 400, not a database error", async () => {
      const server = newServer();
      assert.deepEqual(await refusal(server, { type: "threads.get_by_id", params: { thread_id: "thr_\u0000" } }, ctx), {
        status: 400,
        message: "Invalid request: params.thread_id: contains U+0000 (NUL)",
      });
    });

    test("NUL or half an emoji in a new message: 400, and no thread is left behind", async () => {
      const server = newServer();
      for (const text of ["a\u0000b", "cut 😀".slice(0, -1)]) {
        const { status, message } = await refusal(server, create(text), ctx);
        assert.equal(status, 400);
        assert.match(message, /^Invalid request: params\.input\.content\.0\.text: contains /);
      }
      assert.deepEqual(await call(server, { type: "threads.list", params: {} }, ctx), { data: [], has_more: false });
    });

    test("a title with a lone surrogate is refused; the thread keeps its title", async () => {
      const server = newServer();
      const threadId = createdThreadId(await stream(server, create("hello"), ctx));
      await call(server, { type: "threads.update", params: { thread_id: threadId, title: "Kept" } }, ctx);
      const { status, message } = await refusal(server, { type: "threads.update", params: { thread_id: threadId, title: "\udc00 tail" } }, ctx);
      assert.equal(status, 400);
      assert.match(message, /^Invalid request: params\.title: contains a lone surrogate/);
      assert.equal((await call(server, { type: "threads.get_by_id", params: { thread_id: threadId } }, ctx)).title, "Kept");
    });
  
    test("free-form JSON nested too deep is a 400 naming the field; nothing is written", async () => {
      const server = newServer();
      const limit = DEFAULT_JSON_LIMITS.maxDepth;
      assert.equal(limit, 64);
      const expected = `Invalid request: params.input.content.1.data: nested deeper than ${limit} levels (jsonLimits.maxDepth)`;
      for (const depth of [limit + 1, 3_000, 200_000]) {
        assert.deepEqual(await refusal(server, tagRequest(nestedJson(depth)), ctx), { status: 400, message: expected });
      }
      assert.deepEqual(await call(server, { type: "threads.list", params: {} }, ctx), { data: [], has_more: false });
      // At the limit it is stored and read back whole.
      const events = await stream(server, JSON.parse(tagRequest(nestedJson(limit))), ctx);
      const threadId = createdThreadId(events);
      const [message] = (await call(server, { type: "items.list", params: { thread_id: threadId, order: "asc" } }, ctx)).data as ThreadItem[];
      assert.ok(message?.type === "user_message" && message.content[1]?.type === "input_tag");
      assert.deepEqual(message.content[1].data, JSON.parse(nestedJson(limit)));
    });

    test("a client tool result, an action payload and metadata are limited alike", async () => {
      const server = newServer();
      const deep = nestedJson(100_000);
      assert.deepEqual(await refusal(server, `{"type":"threads.add_client_tool_output","params":{"thread_id":"thr_1","result":${deep}}}`, ctx), {
        status: 400,
        message: "Invalid request: params.result: nested deeper than 64 levels (jsonLimits.maxDepth)",
      });
      assert.deepEqual(await refusal(server, `{"type":"threads.custom_action","params":{"thread_id":"thr_1","action":{"type":"go","payload":${deep}}}}`, ctx), {
        status: 400,
        message: "Invalid request: params.action.payload: nested deeper than 64 levels (jsonLimits.maxDepth)",
      });
      const big = { type: "threads.list", params: {}, metadata: { blob: "x".repeat(DEFAULT_JSON_LIMITS.maxLength) } };
      assert.deepEqual(await refusal(server, big, ctx), {
        status: 400,
        message: `Invalid request: metadata: its JSON is longer than ${DEFAULT_JSON_LIMITS.maxLength} characters (jsonLimits.maxLength)`,
      });
    });

    test("the limits are options of the server", async () => {
      const server = new TestServer({}, { store: kind.create<TestContext>({ owner: (c) => c.userId }), logger: new MemoryLogger(), jsonLimits: { maxDepth: 2, maxLength: 40 } });
      assert.equal((await refusal(server, tagRequest(nestedJson(3)), ctx)).message, "Invalid request: params.input.content.1.data: nested deeper than 2 levels (jsonLimits.maxDepth)");
      assert.equal(
        (await refusal(server, tagRequest(JSON.stringify({ text: "x".repeat(40) })), ctx)).message,
        "Invalid request: params.input.content.1.data: its JSON is longer than 40 characters (jsonLimits.maxLength)",
      );
      const events = await stream(server, JSON.parse(tagRequest(nestedJson(2))), ctx);
      assert.deepEqual(events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options"]);
      const answers = { type: "threads.add_structured_input", params: { thread_id: createdThreadId(events), item_id: "si", input: { answers: { q: { values: ["y".repeat(40)] } } } } };
      assert.equal((await refusal(server, answers, ctx)).message, "Invalid request: params.input.answers: nested deeper than 2 levels (jsonLimits.maxDepth)");
      const lengthOnly = new TestServer({}, { store: kind.create<TestContext>(), logger: new MemoryLogger(), jsonLimits: { maxLength: 40 } });
      assert.equal((await refusal(lengthOnly, answers, ctx)).message, "Invalid request: params.input.answers: its JSON is longer than 40 characters (jsonLimits.maxLength)");
    });
  
    test("a threads.create whose first writes fail leaves no thread behind", async () => {
      const logger = new MemoryLogger();
      const store = kind.create<TestContext>({ owner: (c) => c.userId });
      const server = new TestServer({}, { store, logger });
      const first = createdThreadId(await stream(server, create("first"), ctx));
      const [taken] = (await call(server, { type: "items.list", params: { thread_id: first } }, ctx)).data as ThreadItem[];
      // The new message gets an id another thread has: its insert fails after the thread's.
      store.generateItemId = () => taken!.id;
      assert.deepEqual(await stream(server, create("second"), ctx), [{ type: "error", code: "stream.error", allow_retry: true }]);
      assert.deepEqual((await call(server, { type: "threads.list", params: {} }, ctx)).data.map((t: { id: string }) => t.id), [first]);
      assert.match(String(logger.errors[0]?.[1]), /ConflictError: Item id msg_\w+ belongs to another thread/);
    });

    test("a forced thread id collision merges nothing: the request fails cleanly, nothing is lost", async () => {
      const logger = new MemoryLogger();
      const store = kind.create<TestContext>({ owner: (c) => c.userId });
      const server = new TestServer({}, { store, logger });
      const alice = { userId: "alice" };
      const bob = { userId: "bob" };
      const threadId = createdThreadId(await stream(server, create("alice's first"), alice));
      const before = await call(server, { type: "threads.get_by_id", params: { thread_id: threadId } }, alice);
      store.generateThreadId = () => threadId;
      for (const user of [bob, alice]) {
        assert.deepEqual(await stream(server, create("collides"), user), [{ type: "error", code: "stream.error", allow_retry: true }]);
      }
      assert.equal(logger.errors.length, 2);
      for (const [, error] of logger.errors) assert.match(String(error), new RegExp(`ConflictError: Thread ${threadId} already exists`));
      assert.deepEqual(await call(server, { type: "threads.get_by_id", params: { thread_id: threadId } }, alice), before);
      assert.deepEqual(await call(server, { type: "threads.list", params: {} }, bob), { data: [], has_more: false });
      // With a fresh id again, Bob's retry goes through.
      store.generateThreadId = () => "thr_bob";
      assert.equal(createdThreadId(await stream(server, create("retry"), bob)), "thr_bob");
    });
  
    test("an attachment id that exists is a 409: the existing attachment is untouched", async () => {
      const store = kind.create<TestContext>({ owner: (c) => c.userId });
      const attachmentStore = new (class extends AttachmentStore<TestContext> {
        override async createAttachment(params: AttachmentCreateParams): Promise<Attachment> {
          return { type: "file", id: "atc_fixed", name: params.name, mime_type: params.mime_type };
        }
        async deleteAttachment(): Promise<void> {}
      })();
      const server = new TestServer({}, { store, attachmentStore, logger: new MemoryLogger() });
      const request = (name: string) => ({ type: "attachments.create", params: { name, size: 1, mime_type: "text/plain" } });
      assert.deepEqual(await call(server, request("alice.txt"), { userId: "alice" }), { type: "file", id: "atc_fixed", name: "alice.txt", mime_type: "text/plain" });
      for (const userId of ["bob", "alice"]) {
        assert.deepEqual(await refusal(server, request(`${userId}.txt`), { userId }), { status: 409, message: "Attachment atc_fixed already exists" });
      }
      assert.equal((await store.loadAttachment("atc_fixed", { userId: "alice" })).name, "alice.txt");
      await assert.rejects(store.loadAttachment("atc_fixed", { userId: "bob" }), NotFoundError);
    });
  
    test("items.feedback on an unknown or foreign thread or item is a 404; addFeedback is not called", async () => {
      const calls: unknown[][] = [];
      const server = new (class extends TestServer {
        override async addFeedback(threadId: string, itemIds: string[], kind: FeedbackKind, context: TestContext) {
          calls.push([threadId, itemIds, kind, context]);
        }
      })({}, { store: kind.create<TestContext>({ owner: (c) => c.userId }), logger: new MemoryLogger() });
      const alice = { userId: "alice" };
      const thread = createdThreadId(await stream(server, create("mine"), alice));
      const other = createdThreadId(await stream(server, create("also mine"), alice));
      const [item] = (await call(server, { type: "items.list", params: { thread_id: thread } }, alice)).data as ThreadItem[];
      const [otherItem] = (await call(server, { type: "items.list", params: { thread_id: other } }, alice)).data as ThreadItem[];
      const feedback = (thread_id: string, item_ids: string[]) => ({ type: "items.feedback", params: { thread_id, item_ids, kind: "negative" } });

      assert.deepEqual(await refusal(server, feedback(thread, [item!.id]), { userId: "bob" }), { status: 404, message: `Thread ${thread} not found` });
      assert.deepEqual(await refusal(server, feedback("thr_missing", []), alice), { status: 404, message: "Thread thr_missing not found" });
      assert.deepEqual(await refusal(server, feedback(thread, [item!.id, "msg_missing"]), alice), { status: 404, message: "Item msg_missing not found" });
      assert.deepEqual(await refusal(server, feedback(thread, [otherItem!.id]), alice), { status: 404, message: `Item ${otherItem!.id} not found` });
      assert.deepEqual(calls, []);

      assert.deepEqual(await call(server, feedback(thread, [item!.id]), alice), {});
      assert.deepEqual(calls, [[thread, [item!.id], "negative", alice]]);
    });
  });
}
