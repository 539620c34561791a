import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ChatKitServer,
  CustomStreamError,
  InMemoryStore,
  NonStreamingResult,
  RequestError,
  StreamError,
  StreamingResult,
  type ThreadItem,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type UserMessageItem,
} from "../../src/index.js";
import {
  addMessage,
  assistant,
  call,
  create,
  createdThreadId,
  ctx,
  drainText,
  now,
  stream,
  MemoryLogger,
  TestServer,
  userMessage,
  type ActionHandler,
  type TestContext,
} from "../support/helpers.js";

const types = (events: ThreadStreamEvent[]) => events.map((event) => event.type);

async function rejectsWith(promise: Promise<unknown>, status: number, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RequestError, `expected RequestError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.match(error.message, message);
    return true;
  });
}

describe("threads.create", () => {
  test("creates the thread, stores and announces the user message, then runs respond", async () => {
    const server = new TestServer();
    const events = await stream(server, create("Hello, world!", { quoted_text: "Quoted text" }), ctx);
    assert.deepEqual(types(events), ["thread.created", "thread.item.done", "stream_options"]);
    const created = events[0] as Extract<ThreadStreamEvent, { type: "thread.created" }>;
    assert.equal(created.thread.title, undefined);
    assert.deepEqual(created.thread.items, { data: [], has_more: false });
    assert.deepEqual(created.thread.metadata, {});
    assert.match(created.thread.id, /^thr_[0-9a-f]{24}$/);
    const done = events[1] as Extract<ThreadStreamEvent, { type: "thread.item.done" }>;
    assert.equal(done.item.type, "user_message");
    assert.match(done.item.id, /^msg_[0-9a-f]{24}$/);
    assert.ok(done.item.type === "user_message");
    assert.equal((done.item.content[0] as { text: string }).text, "Hello, world!");
    assert.equal(done.item.quoted_text, "Quoted text");
    assert.deepEqual(events[2], { type: "stream_options", stream_options: { allow_cancel: true } });
    const stored = await server.store.loadItem(created.thread.id, done.item.id, ctx);
    assert.deepEqual(stored, done.item);
  });

  test("the context given to process is the one respond and addFeedback receive", async () => {
    const seen: unknown[] = [];
    class FeedbackServer extends TestServer {
      override async addFeedback(threadId: string, itemIds: string[], kind: "positive" | "negative", context: TestContext) {
        seen.push({ threadId, itemIds, kind, context });
      }
    }
    const server = new FeedbackServer();
    const context = { userId: "u1" };
    const events = await stream(server, create("x"), context);
    assert.equal(server.respondCalls[0]!.context, context);
    const threadId = createdThreadId(events);
    const itemId = (events[1] as { item: { id: string } }).item.id;
    assert.deepEqual(await call(server, { type: "items.feedback", params: { thread_id: threadId, item_ids: [itemId], kind: "positive" } }, context), {});
    assert.deepEqual(await call(server, { type: "items.feedback", params: { thread_id: threadId, item_ids: [], kind: "negative" } }, context), {});
    assert.deepEqual(seen, [
      { threadId, itemIds: [itemId], kind: "positive", context },
      { threadId, itemIds: [], kind: "negative", context },
    ]);
    assert.equal((seen[0] as { context: unknown }).context, context);
  });

  test("inference options reach respond (create and add_user_message)", async () => {
    const server = new TestServer();
    const events = await stream(server, create("x", { inference_options: { tool_choice: { id: "web_search" } } }), ctx);
    assert.deepEqual(server.respondCalls[0]!.input!.inference_options, { tool_choice: { id: "web_search" } });
    await stream(
      server,
      { type: "threads.add_user_message", params: { thread_id: createdThreadId(events), input: { content: [], inference_options: { tool_choice: { id: "retrieval" }, model: "gpt-x" } } } },
      ctx,
    );
    assert.deepEqual(server.respondCalls[1]!.input!.inference_options, { tool_choice: { id: "retrieval" }, model: "gpt-x" });
  });

  test("custom id generators are used with the item type and thread", async () => {
    let counter = 0;
    class CountingStore extends InMemoryStore<TestContext> {
      override generateThreadId() {
        return `thr_custom_${++counter}`;
      }
      override generateItemId(type: string, thread: { id: string }) {
        return `${type}_custom_${++counter}_${thread.id}`;
      }
    }
    const server = new TestServer({}, { store: new CountingStore() });
    const events = await stream(server, create("x"), ctx);
    assert.equal(createdThreadId(events), "thr_custom_1");
    assert.equal((events[1] as { item: ThreadItem }).item.id, "message_custom_2_thr_custom_1");
  });

  test("an unknown attachment id is a 404 before anything is stored", async () => {
    const server = new TestServer();
    await rejectsWith(server.process(JSON.stringify(create("x", { attachments: ["atc_missing"] })), ctx), 404, /atc_missing/);
    assert.deepEqual((await server.store.loadThreads(10, undefined, "desc", ctx)).data, []);
  });

  test("attachments get the thread id and never send metadata", async () => {
    const server = new TestServer();
    await server.store.saveAttachment({ type: "file", id: "atc_1", name: "a.txt", mime_type: "text/plain", metadata: { secret: 1 } }, ctx);
    const events = await stream(server, create("x", { attachments: ["atc_1"] }), ctx);
    const threadId = createdThreadId(events);
    const stored = await server.store.loadAttachment("atc_1", ctx);
    assert.equal(stored.thread_id, threadId);
    assert.deepEqual(stored.metadata, { secret: 1 });
    const done = events[1] as Extract<ThreadStreamEvent, { type: "thread.item.done" }>;
    assert.ok(done.item.type === "user_message");
    assert.deepEqual(done.item.attachments, [{ type: "file", id: "atc_1", name: "a.txt", mime_type: "text/plain", thread_id: threadId }]);
    const page = await call(server, { type: "items.list", params: { thread_id: threadId } }, ctx);
    assert.equal("metadata" in page.data[0].attachments[0], false);
  });
});

describe("the event pipeline", () => {
  test("title, metadata, status and image domains edits are saved and announced last", async () => {
    const server = new TestServer({
      async *respond(thread) {
        thread.title = "Updated title";
        thread.metadata = { test_key: "test_value" };
        thread.status = { type: "locked", reason: "Because" };
        thread.allowed_image_domains = ["example.com", "images.example.com"];
      },
    });
    const events = await stream(server, create("x"), ctx);
    const last = events.at(-1)!;
    assert.equal(last.type, "thread.updated");
    assert.ok(last.type === "thread.updated");
    assert.equal(last.thread.title, "Updated title");
    assert.deepEqual(last.thread.metadata, {});
    assert.deepEqual(last.thread.status, { type: "locked", reason: "Because" });
    assert.deepEqual(last.thread.allowed_image_domains, ["example.com", "images.example.com"]);
    const stored = await server.store.loadThread(last.thread.id, ctx);
    assert.equal(stored.title, "Updated title");
    assert.deepEqual(stored.metadata, { test_key: "test_value" });
    assert.deepEqual(stored.status, { type: "locked", reason: "Because" });
    assert.deepEqual(stored.allowed_image_domains, ["example.com", "images.example.com"]);
  });

  test("unset fields are absent from the JSON, never null", async () => {
    const server = new TestServer({
      async *respond(thread) {
        thread.title = "Updated title";
      },
    });
    const text = await drainText(await server.process(JSON.stringify(create("x")), ctx));
    assert.equal(text.includes("null"), false);
    assert.equal(text.includes("allowed_image_domains"), false);
    assert.equal(text.includes("quoted_text"), false);
  });

  test("a thread change is announced right after the event that followed it", async () => {
    const server = new TestServer({
      async *respond(thread) {
        yield { type: "thread.item.done", item: assistant("assistant_a", thread.id, "a") };
        thread.title = "Mid-stream title";
        yield { type: "thread.item.done", item: assistant("assistant_b", thread.id, "b") };
        yield { type: "thread.item.done", item: assistant("assistant_c", thread.id, "c") };
      },
    });
    const events = await stream(server, create("x"), ctx);
    const tail = events.slice(3).map((event) => (event.type === "thread.item.done" ? event.item.id : event.type));
    assert.deepEqual(tail, ["assistant_a", "assistant_b", "thread.updated", "assistant_c"]);
  });

  test("progress updates pass through: exactly five events", async () => {
    const server = new TestServer({
      async *respond(thread) {
        yield { type: "progress_update", text: "Tool status" };
        yield { type: "thread.item.done", item: assistant("a", thread.id, "ok") };
      },
    });
    const events = await stream(server, create("x"), ctx);
    assert.deepEqual(types(events), ["thread.created", "thread.item.done", "stream_options", "progress_update", "thread.item.done"]);
    assert.deepEqual(events[3], { type: "progress_update", text: "Tool status" });
  });

  test("done, removed and replaced are persisted; a replacement may change the type", async () => {
    const server = new TestServer({
      async *respond(thread) {
        yield { type: "thread.item.done", item: userMessage("msg_to_remove", thread.id, "bye") };
        yield { type: "thread.item.removed", item_id: "msg_to_remove" };
        yield { type: "thread.item.done", item: userMessage("msg_to_replace", thread.id, "old") };
        yield { type: "thread.item.replaced", item: assistant("msg_to_replace", thread.id, "replacement") };
      },
    });
    const events = await stream(server, create("x"), ctx);
    assert.deepEqual(types(events).slice(3), ["thread.item.done", "thread.item.removed", "thread.item.done", "thread.item.replaced"]);
    const threadId = createdThreadId(events);
    const page = await call(server, { type: "items.list", params: { thread_id: threadId, order: "asc" } }, ctx);
    assert.deepEqual(page.data.map((item: ThreadItem) => [item.id, item.type]), [
      [(events[1] as { item: ThreadItem }).item.id, "user_message"],
      ["msg_to_replace", "assistant_message"],
    ]);
    assert.equal(page.data[1].content[0].text, "replacement");
  });

  test("hidden items: stored, never sent (added, done, replaced); lists omit them", async () => {
    const server = new TestServer({
      async *respond(thread) {
        const hidden = { type: "hidden_context_item" as const, id: "hc_1", thread_id: thread.id, created_at: now(), content: { a: null } };
        yield { type: "thread.item.added", item: hidden };
        yield { type: "thread.item.done", item: hidden };
        yield { type: "thread.item.done", item: { type: "sdk_hidden_context", id: "shcx_x", thread_id: thread.id, created_at: now(), content: "note" } };
        yield { type: "thread.item.replaced", item: { ...hidden, content: "v2" } };
      },
    });
    const events = await stream(server, create("x"), ctx);
    assert.deepEqual(types(events).slice(3), []);
    const threadId = createdThreadId(events);
    const hidden = await server.store.loadItem(threadId, "hc_1", ctx);
    assert.ok(hidden.type === "hidden_context_item");
    assert.equal(hidden.content, "v2");
    assert.equal((await server.store.loadItem(threadId, "shcx_x", ctx)).type, "sdk_hidden_context");
    const page = await call(server, { type: "items.list", params: { thread_id: threadId } }, ctx);
    assert.deepEqual(page.data.map((item: ThreadItem) => item.type), ["user_message"]);
    const thread = await call(server, { type: "threads.get_by_id", params: { thread_id: threadId } }, ctx);
    assert.deepEqual(thread.items.data.map((item: ThreadItem) => item.type), ["user_message"]);
  });

  test("hidden items are filtered after pagination: an empty page can still have more", async () => {
    const server = new TestServer({
      async *respond(thread) {
        for (const id of ["h1", "h2"]) {
          yield { type: "thread.item.done", item: { type: "hidden_context_item", id, thread_id: thread.id, created_at: now(), content: "x" } };
        }
      },
    });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const page = await call(server, { type: "items.list", params: { thread_id: threadId, limit: 2 } }, ctx);
    assert.deepEqual(page, { data: [], has_more: true, after: "h1" });
  });

  test("the pending copy is isolated from the object the handler keeps mutating", async () => {
    const server = new TestServer({
      async *respond(thread) {
        const item = { type: "workflow" as const, id: "wf_1", thread_id: thread.id, created_at: now(), workflow: { type: "custom" as const, tasks: [] as never[], expanded: false } };
        yield { type: "thread.item.added", item };
        const task = { type: "custom" as const, title: "foo", content: "bar", status_indicator: "none" as const };
        yield { type: "thread.item.updated", item_id: "wf_1", update: { type: "workflow.task.added", task_index: 0, task } };
        (item.workflow.tasks as unknown[]).push(task);
        yield { type: "thread.item.done", item };
      },
    });
    const events = await stream(server, create("x"), ctx);
    const done = events.at(-1) as Extract<ThreadStreamEvent, { type: "thread.item.done" }>;
    assert.ok(done.item.type === "workflow");
    assert.equal(done.item.workflow.tasks.length, 1);
    const stored = await server.store.loadItem(createdThreadId(events), "wf_1", ctx);
    assert.ok(stored.type === "workflow");
    assert.deepEqual(stored.workflow.tasks.map((task) => task.title), ["foo"]);
  });

  test("a thrown error becomes a stream.error event and the stream ends cleanly", async () => {
    const server = new TestServer({
      // eslint-disable-next-line require-yield
      async *respond() {
        throw new Error("secret detail");
      },
    });
    const text = await drainText(await server.process(JSON.stringify(create("x")), ctx));
    const events = text.split("\n\n").filter(Boolean).map((frame) => JSON.parse(frame.slice(6)));
    assert.deepEqual(events.at(-1), { type: "error", code: "stream.error", allow_retry: true });
    assert.equal(text.includes("secret detail"), false);
    assert.equal((server.logger as unknown as { errors: unknown[] }).errors.length, 1);
  });

  test("CustomStreamError: the thread change before it is announced first", async () => {
    for (const allowRetry of [false, true]) {
      const server = new TestServer({
        async *respond(thread) {
          thread.title = "t";
          yield { type: "progress_update", text: "working" };
          throw new CustomStreamError("boom", { allowRetry });
        },
      });
      const events = await stream(server, create("x"), ctx);
      assert.deepEqual(types(events).slice(2), ["stream_options", "progress_update", "thread.updated", "error"]);
      assert.deepEqual(events.at(-1), { type: "error", code: "custom", message: "boom", allow_retry: allowRetry });
    }
  });

  test("StreamError: allow_retry defaults per code, no message", async () => {
    const cases: Array<[StreamError, boolean]> = [
      [new StreamError("stream.error"), true],
      [new StreamError("stream.error", { allowRetry: false }), false],
      [new StreamError("rate_limited"), false],
    ];
    for (const [error, allowRetry] of cases) {
      const server = new TestServer({
        // eslint-disable-next-line require-yield
        async *respond() {
          throw error;
        },
      });
      const events = await stream(server, create("x"), ctx);
      assert.deepEqual(events.at(-1), { type: "error", code: error.code, allow_retry: allowRetry });
    }
  });

  test("an error event yielded by the handler does not end the stream", async () => {
    const server = new TestServer({
      async *respond(thread) {
        yield { type: "error", code: "custom", message: "careful", allow_retry: false };
        yield { type: "notice", level: "warning", message: "close to limit", title: "Heads up" };
        yield { type: "client_effect", name: "highlight", data: { index: 1, x: null } };
        yield { type: "thread.item.done", item: assistant("a", thread.id, "still here") };
      },
    });
    const events = await stream(server, create("x"), ctx);
    assert.deepEqual(types(events).slice(3), ["error", "notice", "client_effect", "thread.item.done"]);
    assert.deepEqual(events[5], { type: "client_effect", name: "highlight", data: { index: 1, x: null } });
  });

  test("a store failure inside the pipeline becomes an error event", async () => {
    class FailingStore extends InMemoryStore<TestContext> {
      override async addThreadItem(threadId: string, item: ThreadItem, context: TestContext) {
        if (item.id === "boom") throw new Error("disk full");
        return super.addThreadItem(threadId, item, context);
      }
    }
    const server = new TestServer(
      { async *respond(thread) { yield { type: "thread.item.done", item: assistant("boom", thread.id, "x") }; } },
      { store: new FailingStore() },
    );
    const events = await stream(server, create("x"), ctx);
    assert.deepEqual(events.at(-1), { type: "error", code: "stream.error", allow_retry: true });
    assert.equal(events.some((event) => event.type === "thread.item.done" && event.item.id === "boom"), false);
  });

  test("getStreamOptions is asked once per stream, per thread", async () => {
    class NoCancel extends TestServer {
      override getStreamOptions() {
        return { allow_cancel: false };
      }
    }
    const events = await stream(new NoCancel(), create("x"), ctx);
    assert.deepEqual(events[2], { type: "stream_options", stream_options: { allow_cancel: false } });
  });
});

describe("client tool calls", () => {
  const toolCall = (id: string, threadId: string, status: "pending" | "completed" = "pending"): ThreadItem => ({
    type: "client_tool_call", id, thread_id: threadId, created_at: now(), status, call_id: "tool_call_1", name: "tool_call_1", arguments: { arg1: "val1", arg2: false },
  });

  test("round trip: the pending call, then the output and a null input", async () => {
    const server = new TestServer({
      async *respond(thread, input) {
        if (input) yield { type: "thread.item.done", item: toolCall("msg_1", thread.id) };
        else yield { type: "thread.item.done", item: assistant("a", thread.id, "done") };
      },
    });
    const first = await stream(server, create("x"), ctx);
    assert.deepEqual(types(first), ["thread.created", "thread.item.done", "stream_options", "thread.item.done"]);
    const threadId = createdThreadId(first);
    const second = await stream(server, { type: "threads.add_client_tool_output", params: { thread_id: threadId, result: { text: "Wow!" } } }, ctx);
    assert.deepEqual(types(second), ["stream_options", "thread.item.done"]);
    assert.equal(server.respondCalls[1]!.input, null);
    const stored = await server.store.loadItem(threadId, "msg_1", ctx);
    assert.deepEqual(stored, { ...toolCall("msg_1", threadId), created_at: stored.created_at, status: "completed", output: { text: "Wow!" } });
  });

  test("older pending calls are deleted when the newest one is answered", async () => {
    const server = new TestServer({
      async *respond(thread, input) {
        if (!input) return;
        yield { type: "thread.item.done", item: toolCall("tc0", thread.id) };
        yield { type: "thread.item.done", item: toolCall("tc1", thread.id) };
      },
    });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const events = await stream(server, { type: "threads.add_client_tool_output", params: { thread_id: threadId, result: null } }, ctx);
    assert.deepEqual(types(events), ["stream_options"]);
    await assert.rejects(server.store.loadItem(threadId, "tc0", ctx), /not found/);
    const tc1 = await server.store.loadItem(threadId, "tc1", ctx);
    assert.ok(tc1.type === "client_tool_call");
    assert.equal(tc1.status, "completed");
    assert.equal("output" in tc1 && tc1.output !== undefined, false);
  });

  test("no pending call as the newest item: 409 and nothing written", async () => {
    const server = new TestServer({
      async *respond(thread) {
        yield { type: "thread.item.done", item: toolCall("tc0", thread.id) };
        yield { type: "thread.item.done", item: { type: "hidden_context_item", id: "h", thread_id: thread.id, created_at: now(), content: "x" } };
      },
    });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    await rejectsWith(
      server.process(JSON.stringify({ type: "threads.add_client_tool_output", params: { thread_id: threadId, result: {} } }), ctx),
      409,
      /not a pending client tool call/,
    );
    const tc0 = await server.store.loadItem(threadId, "tc0", ctx);
    assert.ok(tc0.type === "client_tool_call" && tc0.status === "pending");
  });
});

describe("structured input", () => {
  const structured = (threadId: string, multiple = false): ThreadItem => ({
    type: "structured_input", id: "si_1", thread_id: threadId, created_at: now(), status: "pending",
    inputs: [
      { type: "multiple_choice", id: "subject", question: "Subject?", options: [{ value: "Math" }, { value: "Science" }], multiple },
      { type: "freeform", id: "details", question: "Details?" },
    ],
  });
  const setup = async (multiple = false) => {
    const server = new TestServer({
      async *respond(thread, input) {
        if (input) yield { type: "thread.item.done", item: structured(thread.id, multiple) };
        else yield { type: "thread.item.done", item: assistant("msg_after_structured_input", thread.id, "thanks") };
      },
    });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const submit = (input: unknown) => ({ type: "threads.add_structured_input", params: { thread_id: threadId, item_id: "si_1", input } });
    return { server, threadId, submit };
  };
  const answers = (item: ThreadItem) => (item.type === "structured_input" ? item.inputs.map((input) => input.answer) : []);

  test("answered with a custom value; stored equals replaced; respond continues", async () => {
    const { server, threadId, submit } = await setup();
    const events = await stream(server, submit({ status: "answered", answers: { subject: { values: ["Private class"] }, details: { values: ["Please include group work."] }, unknown: { values: ["x"] } } }), ctx);
    assert.deepEqual(types(events), ["stream_options", "thread.item.replaced", "thread.item.done"]);
    const replaced = (events[1] as { item: ThreadItem }).item;
    assert.ok(replaced.type === "structured_input");
    assert.equal(replaced.status, "answered");
    assert.deepEqual(answers(replaced), [{ values: ["Private class"], skipped: false }, { values: ["Please include group work."], skipped: false }]);
    assert.deepEqual(await server.store.loadItem(threadId, "si_1", ctx), replaced);
    assert.equal((events[2] as { item: ThreadItem }).item.id, "msg_after_structured_input");
  });

  test("omitted answers are skipped; single choice is truncated; multiple keeps all", async () => {
    let { server, submit } = await setup();
    let events = await stream(server, submit({ answers: { subject: { values: ["Math", "Science"] } } }), ctx);
    assert.deepEqual(answers((events[1] as { item: ThreadItem }).item), [{ values: ["Math"], skipped: false }, { values: [], skipped: true }]);
    ({ server, submit } = await setup(true));
    events = await stream(server, submit({ answers: { subject: { values: ["Math", "Science"] }, details: { values: ["x"], skipped: true } } }), ctx);
    assert.deepEqual(answers((events[1] as { item: ThreadItem }).item), [{ values: ["Math", "Science"], skipped: false }, { values: [], skipped: true }]);
  });

  test("skipped entirely; a second submission is refused with 409", async () => {
    const { server, submit } = await setup();
    const events = await stream(server, submit({ status: "skipped", answers: { subject: { values: ["Math"] } } }), ctx);
    const item = (events[1] as { item: ThreadItem }).item;
    assert.ok(item.type === "structured_input");
    assert.equal(item.status, "skipped");
    assert.deepEqual(answers(item), [{ values: [], skipped: true }, { values: [], skipped: true }]);
    await rejectsWith(server.process(JSON.stringify(submit({})), ctx), 409, /not pending/);
  });

  test("an item that is not a structured input is a 400", async () => {
    const { server, threadId } = await setup();
    const page = await server.store.loadThreadItems(threadId, undefined, 1, "asc", ctx);
    const request = { type: "threads.add_structured_input", params: { thread_id: threadId, item_id: page.data[0]!.id, input: {} } };
    await rejectsWith(server.process(JSON.stringify(request), ctx), 400, /not a structured input/);
  });
});

describe("threads.retry_after_item", () => {
  const setup = async () => {
    let n = 0;
    const server = new TestServer({
      async *respond(thread, input) {
        n++;
        const text = input?.content[0]?.type === "input_text" ? input.content[0].text : "";
        yield { type: "thread.item.done", item: assistant(`a_${n}`, thread.id, `Response to: ${text}`) };
      },
    });
    const threadId = createdThreadId(await stream(server, create("First message"), ctx));
    await stream(server, addMessage(threadId, "Second message"), ctx);
    return { server, threadId };
  };

  test("deletes what came after the message and responds to it again", async () => {
    const { server, threadId } = await setup();
    const before = await server.store.loadThreadItems(threadId, undefined, 10, "desc", ctx);
    const [a2, u2, a1, u1] = before.data;
    const events = await stream(server, { type: "threads.retry_after_item", params: { thread_id: threadId, item_id: u2!.id } }, ctx);
    assert.deepEqual(types(events), ["stream_options", "thread.item.done"]);
    assert.deepEqual(server.respondCalls[2]!.input, u2);
    const after = await server.store.loadThreadItems(threadId, undefined, 10, "desc", ctx);
    assert.deepEqual(after.data.map((item) => item.id), ["a_3", u2!.id, a1!.id, u1!.id]);
    assert.notEqual(a2!.id, "a_3");
  });

  test("a non-user item is a 400, an unknown item a 404; nothing is deleted", async () => {
    const { server, threadId } = await setup();
    const before = await server.store.loadThreadItems(threadId, undefined, 10, "desc", ctx);
    const retry = (itemId: string) => server.process(JSON.stringify({ type: "threads.retry_after_item", params: { thread_id: threadId, item_id: itemId } }), ctx);
    await rejectsWith(retry(before.data[0]!.id), 400, /is not a user message/);
    await rejectsWith(retry("msg_nope"), 404, /msg_nope/);
    assert.deepEqual(await server.store.loadThreadItems(threadId, undefined, 10, "desc", ctx), before);
  });
});

describe("custom actions", () => {
  const widget = (threadId: string, value: string): ThreadItem => ({
    type: "widget", id: "widget_1", thread_id: threadId, created_at: now(),
    widget: { type: "Card", children: [{ type: "Text", key: "text_1", value }] },
  });
  const setup = async () => {
    const seen: unknown[] = [];
    const server = new TestServer({
      async *respond(thread) {
        yield { type: "thread.item.done", item: widget(thread.id, "test") };
        yield { type: "thread.item.done", item: assistant("assistant_1", thread.id, "hi") };
      },
      async *action(_thread, action, sender) {
        seen.push({ action, sender });
        yield { type: "thread.item.updated", item_id: "widget_1", update: { type: "widget.root.updated", widget: { type: "Card", children: [{ type: "Text", value: "Email sent!" }] } } };
      },
      async syncAction(_thread, action, sender) {
        seen.push({ action, sender });
        return action.type === "noop" ? {} : { updated_item: { ...sender!, widget: { type: "Card", children: [{ type: "Text", value: "Email sent!" }] } } };
      },
    });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    return { server, threadId, seen };
  };

  test("streaming: the hook gets the stored widget; the update is sent and saved", async () => {
    const { server, threadId, seen } = await setup();
    const sender = await server.store.loadItem(threadId, "widget_1", ctx);
    const events = await stream(server, { type: "threads.custom_action", params: { thread_id: threadId, item_id: "widget_1", action: { type: "create_user", payload: { user_id: "123" }, handler: "server", loadingBehavior: "auto" } } }, ctx);
    assert.deepEqual(types(events), ["stream_options", "thread.item.updated"]);
    assert.deepEqual(seen, [{ action: { type: "create_user", payload: { user_id: "123" } }, sender }]);
    const stored = await server.store.loadItem(threadId, "widget_1", ctx);
    assert.ok(stored.type === "widget");
    assert.deepEqual(stored.widget, { type: "Card", children: [{ type: "Text", value: "Email sent!" }] });
  });

  test("a non-widget sender gives one error event and no hook call; a missing payload is null", async () => {
    const { server, threadId, seen } = await setup();
    const events = await stream(server, { type: "threads.custom_action", params: { thread_id: threadId, item_id: "assistant_1", action: { type: "x" } } }, ctx);
    assert.deepEqual(events, [{ type: "error", code: "stream.error", allow_retry: false }]);
    assert.equal(seen.length, 0);
    await stream(server, { type: "threads.custom_action", params: { thread_id: threadId, action: { type: "x" } } }, ctx);
    assert.deepEqual(seen, [{ action: { type: "x", payload: null }, sender: null }]);
  });

  test("without an action hook: stream_options then a retryable error", async () => {
    const server = new TestServer();
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const events = await stream(server, { type: "threads.custom_action", params: { thread_id: threadId, action: { type: "x" } } }, ctx);
    assert.deepEqual(events, [{ type: "stream_options", stream_options: { allow_cancel: true } }, { type: "error", code: "stream.error", allow_retry: true }]);
  });

  test("an unknown sender item is a 404", async () => {
    const { server, threadId } = await setup();
    await rejectsWith(server.process(JSON.stringify({ type: "threads.custom_action", params: { thread_id: threadId, item_id: "nope", action: { type: "x" } } }), ctx), 404, /nope/);
  });

  test("sync: the updated item is answered and saved; no update answers {}", async () => {
    const { server, threadId } = await setup();
    const result = await server.process(JSON.stringify({ type: "threads.sync_custom_action", params: { thread_id: threadId, item_id: "widget_1", action: { type: "create_user" } } }), ctx);
    assert.ok(result instanceof NonStreamingResult);
    const body = JSON.parse(result.json);
    assert.deepEqual(body.updated_item.widget, { type: "Card", children: [{ type: "Text", value: "Email sent!" }] });
    assert.deepEqual(await server.store.loadItem(threadId, "widget_1", ctx), body.updated_item);
    const none = await server.process(JSON.stringify({ type: "threads.sync_custom_action", params: { thread_id: threadId, item_id: "widget_1", action: { type: "noop" } } }), ctx);
    assert.equal((none as NonStreamingResult).json, "{}");
  });

  test("sync: a non-widget sender is a 400 and nothing changes; no hook is a 400", async () => {
    const { server, threadId } = await setup();
    const before = await server.store.loadThreadItems(threadId, undefined, 10, "asc", ctx);
    await rejectsWith(
      server.process(JSON.stringify({ type: "threads.sync_custom_action", params: { thread_id: threadId, item_id: "assistant_1", action: { type: "x" } } }), ctx),
      400,
      /requires a widget sender item/,
    );
    assert.deepEqual(await server.store.loadThreadItems(threadId, undefined, 10, "asc", ctx), before);
    const bare = new TestServer();
    const bareThread = createdThreadId(await stream(bare, create("x"), ctx));
    await rejectsWith(bare.process(JSON.stringify({ type: "threads.sync_custom_action", params: { thread_id: bareThread, action: { type: "x" } } }), ctx), 400, /not supported/);
  });
});

describe("non-streaming requests", () => {
  test("threads.list pages newest first; then the rest", async () => {
    const server = new TestServer();
    for (let i = 0; i < 25; i++) await stream(server, create(`t${i}`), ctx);
    const first = await call(server, { type: "threads.list", params: { limit: 20 } }, ctx);
    assert.equal(first.data.length, 20);
    assert.equal(first.has_more, true);
    assert.equal(first.after, first.data[19].id);
    const times = first.data.map((thread: { created_at: string }) => thread.created_at);
    assert.deepEqual(times, [...times].sort().reverse());
    for (const thread of first.data) assert.deepEqual(thread.items, { data: [], has_more: false });
    const second = await call(server, { type: "threads.list", params: { after: first.after } }, ctx);
    assert.equal(second.data.length, 5);
    assert.equal(second.has_more, false);
    assert.equal("after" in second, false);
    const ids = new Set([...first.data, ...second.data].map((thread: { id: string }) => thread.id));
    assert.equal(ids.size, 25);
  });

  test("items.list pages newest first over 26 items", async () => {
    const server = new TestServer({
      async *respond(thread) {
        for (let i = 0; i < 25; i++) yield { type: "thread.item.done", item: userMessage(`msg_${i}`, thread.id, `m${i}`) };
      },
    });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const first = await call(server, { type: "items.list", params: { thread_id: threadId } }, ctx);
    assert.deepEqual(first.data.map((item: ThreadItem) => item.id), Array.from({ length: 20 }, (_, i) => `msg_${24 - i}`));
    assert.equal(first.has_more, true);
    const second = await call(server, { type: "items.list", params: { thread_id: threadId, after: first.after, limit: "20" } }, ctx);
    assert.equal(second.data.length, 6);
    assert.equal(second.has_more, false);
  });

  test("threads.get_by_id returns the 20 oldest items, ascending", async () => {
    const server = new TestServer({
      async *respond(thread) {
        for (let i = 0; i < 25; i++) yield { type: "thread.item.done", item: userMessage(`msg_${i}`, thread.id, `m${i}`) };
      },
    });
    const events = await stream(server, create("Test thread"), ctx);
    const threadId = createdThreadId(events);
    const thread = await call(server, { type: "threads.get_by_id", params: { thread_id: threadId } }, ctx);
    assert.equal(thread.id, threadId);
    assert.equal("title" in thread, false);
    assert.deepEqual(thread.metadata, {});
    assert.equal(thread.items.data[0].content[0].text, "Test thread");
    assert.equal(thread.items.data.length, 20);
    assert.equal(thread.items.has_more, true);
    assert.equal(thread.items.after, "msg_18");
  });

  test("threads.update sets the title; threads.delete answers exactly {}", async () => {
    const server = new TestServer();
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const updated = await call(server, { type: "threads.update", params: { thread_id: threadId, title: "New Title" } }, ctx);
    assert.equal(updated.title, "New Title");
    assert.deepEqual(updated.items, { data: [], has_more: false });
    assert.equal((await server.store.loadThread(threadId, ctx)).title, "New Title");
    const deleted = await server.process(JSON.stringify({ type: "threads.delete", params: { thread_id: threadId } }), ctx);
    assert.equal((deleted as NonStreamingResult).json, "{}");
    await rejectsWith(server.process(JSON.stringify({ type: "threads.get_by_id", params: { thread_id: threadId } }), ctx), 404, new RegExp(`Thread ${threadId} not found`));
    assert.deepEqual((await server.store.loadThreadItems(threadId, undefined, 10, "asc", ctx)).data, []);
  });

  test("unknown threads: get/update/feedback 404, delete {}, items.list empty", async () => {
    const server = new TestServer();
    await rejectsWith(server.process(JSON.stringify({ type: "threads.get_by_id", params: { thread_id: "thr_x" } }), ctx), 404, /thr_x/);
    await rejectsWith(server.process(JSON.stringify({ type: "threads.update", params: { thread_id: "thr_x", title: "t" } }), ctx), 404, /thr_x/);
    await rejectsWith(server.process(JSON.stringify(addMessage("thr_x", "hi")), ctx), 404, /thr_x/);
    assert.deepEqual(await call(server, { type: "threads.delete", params: { thread_id: "thr_x" } }, ctx), {});
    assert.deepEqual(await call(server, { type: "items.list", params: { thread_id: "thr_x" } }, ctx), { data: [], has_more: false });
    await rejectsWith(server.process(JSON.stringify({ type: "items.feedback", params: { thread_id: "thr_x", item_ids: [], kind: "positive" } }), ctx), 404, /thr_x/);
  });

  test("input.transcribe hands the bytes, mime and media type to the hook", async () => {
    const seen: unknown[] = [];
    class Transcribing extends TestServer {
      override async transcribe(audio: { data: Uint8Array; mime_type: string; media_type: string }, context: TestContext) {
        seen.push({ text: new TextDecoder().decode(audio.data), mime: audio.mime_type, media: audio.media_type, context });
        return { text: "ok" };
      }
    }
    const result = await new Transcribing().process(
      JSON.stringify({ type: "input.transcribe", params: { audio_base64: Buffer.from("hello audio").toString("base64"), mime_type: "audio/webm;codecs=opus" } }),
      ctx,
    );
    assert.equal((result as NonStreamingResult).json, '{"text":"ok"}');
    assert.deepEqual(seen, [{ text: "hello audio", mime: "audio/webm;codecs=opus", media: "audio/webm", context: ctx }]);
    await rejectsWith(
      new TestServer().process(JSON.stringify({ type: "input.transcribe", params: { audio_base64: "aGk=", mime_type: "audio/ogg" } }), ctx),
      400,
      /input.transcribe is not supported/,
    );
  });

  test("attachments without an attachment store are a 400", async () => {
    const server = new TestServer();
    await rejectsWith(server.process(JSON.stringify({ type: "attachments.create", params: { name: "a", size: 1, mime_type: "text/plain" } }), ctx), 400, /attachmentStore/);
    await rejectsWith(server.process(JSON.stringify({ type: "attachments.delete", params: { attachment_id: "a" } }), ctx), 400, /attachmentStore/);
  });

  test("results are typed by kind", async () => {
    const server = new TestServer();
    assert.ok((await server.process(JSON.stringify(create("x")), ctx)) instanceof StreamingResult);
    assert.ok((await server.process(JSON.stringify({ type: "threads.list", params: {} }), ctx)) instanceof NonStreamingResult);
  });
});

describe("handler mistakes on every path that runs a handler", () => {
  /** Counts unhandled rejections while the test runs: none may escape (they stop a process). */
  function watchRejections(t: { after(fn: () => void): void }) {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    t.after(() => process.off("unhandledRejection", onRejection));
    return rejections;
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
  const streamError = { type: "error", code: "stream.error", allow_retry: true };

  test("an async respond that throws after a structured input is answered: an error event, nothing unhandled", async (t) => {
    const rejections = watchRejections(t);
    class Server extends ChatKitServer<TestContext> {
      constructor() {
        super({ store: new InMemoryStore<TestContext>(), logger: new MemoryLogger() });
      }
      respond(thread: ThreadMetadata, input: UserMessageItem | null) {
        if (input) {
          return (async function* () {
            yield { type: "thread.item.done", item: { type: "structured_input", id: "si_1", thread_id: thread.id, created_at: now(), status: "pending", inputs: [{ type: "freeform", id: "q", question: "Why?" }] } } as ThreadStreamEvent;
          })();
        }
        return (async () => {
          throw new Error("async respond failed");
        })() as unknown as AsyncIterable<ThreadStreamEvent>;
      }
    }
    const server = new Server();
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const events = await stream(server, { type: "threads.add_structured_input", params: { thread_id: threadId, item_id: "si_1", input: {} } }, ctx);
    assert.deepEqual(types(events), ["stream_options", "thread.item.replaced", "error"]);
    assert.deepEqual(events.at(-1), streamError);
    await settle();
    assert.deepEqual(rejections, []);
    assert.match(String((server.logger as unknown as { errors: unknown[][] }).errors[0]?.[1]), /async respond failed/);
  });

  test("an action that returns a rejected promise or a non-iterable: an error event, nothing unhandled", async (t) => {
    const rejections = watchRejections(t);
    for (const action of [() => Promise.reject(new Error("action failed")), () => 42]) {
      const server = new TestServer({ action: action as unknown as ActionHandler });
      const threadId = createdThreadId(await stream(server, create("x"), ctx));
      const events = await stream(server, { type: "threads.custom_action", params: { thread_id: threadId, action: { type: "x" } } }, ctx);
      assert.deepEqual(types(events), ["stream_options", "error"]);
      assert.deepEqual(events.at(-1), streamError);
    }
    await settle();
    assert.deepEqual(rejections, []);
  });
});
