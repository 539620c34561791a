import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_MAX_TURN_MS,
  InMemoryStore,
  StreamingResult,
  USER_CANCELLED_NOTE,
  type ThreadItem,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
} from "../../src/index.js";
import { addMessage, create, createdThreadId, ctx, deferred, drainText, modelCall, now, parseSse, stream, TestServer, type TestContext } from "../support/helpers.js";

const decoder = new TextDecoder();

/** Reads events from a streaming result until `stop` says so; returns them and the iterator. */
async function readUntil(result: unknown, stop: (event: ThreadStreamEvent) => boolean) {
  assert.ok(result instanceof StreamingResult);
  const iterator = result[Symbol.asyncIterator]();
  const events: ThreadStreamEvent[] = [];
  for (;;) {
    const next = await iterator.next();
    assert.equal(next.done, false, "stream ended before the expected event");
    const [event] = parseSse(decoder.decode(next.value as Uint8Array));
    events.push(event!);
    if (stop(event!)) return { events, iterator, result };
  }
}

const assistantAdded = (threadId: string, id: string, content: Array<{ text: string }> = []): ThreadStreamEvent => ({
  type: "thread.item.added",
  item: { type: "assistant_message", id, thread_id: threadId, created_at: now(), content: content.map((part) => ({ type: "output_text", text: part.text, annotations: [] })) },
});
const delta = (itemId: string, text: string, index = 0): ThreadStreamEvent => ({
  type: "thread.item.updated",
  item_id: itemId,
  update: { type: "assistant_message.content_part.text_delta", content_index: index, delta: text },
});
const isDelta = (event: ThreadStreamEvent) => event.type === "thread.item.updated";

async function newest(server: TestServer, threadId: string, limit = 10) {
  return (await server.store.loadThreadItems(threadId, undefined, limit, "desc", ctx)).data;
}

/** A thread with one finished turn, so cancellation tests start from add_user_message. */
async function threadWith(server: TestServer): Promise<string> {
  const events = await stream(server, create("first"), ctx);
  return createdThreadId(events);
}

describe("cancellation keeps what the user saw", () => {
  test("a pending assistant message is saved with its deltas, then the hidden note (signal abort)", async () => {
    const server = new TestServer({
      async *respond(thread, input, _context, turn) {
        if (input?.content[0]?.type === "input_text" && input.content[0].text === "first") return;
        yield assistantAdded(thread.id, "assistant-message-pending", [{ text: "Hello, " }]);
        yield delta("assistant-message-pending", "World!");
        await modelCall(turn);
      },
    });
    const threadId = await threadWith(server);
    const controller = new AbortController();
    const result = await server.process(JSON.stringify(addMessage(threadId, "go")), ctx, { signal: controller.signal });
    const { events, iterator } = await readUntil(result, isDelta);
    controller.abort();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(events.some((event) => event.type === "error"), false);
    const [note, message] = await newest(server, threadId, 2);
    assert.deepEqual(note, { type: "sdk_hidden_context", id: note!.id, thread_id: threadId, created_at: note!.created_at, content: USER_CANCELLED_NOTE });
    assert.match(note!.id, /^shcx_[0-9a-f]{24}$/);
    assert.equal(USER_CANCELLED_NOTE, "The user cancelled the stream. Stop responding to the prior request.");
    assert.ok(message?.type === "assistant_message");
    assert.equal(message.id, "assistant-message-pending");
    assert.equal(message.content[0]!.text, "Hello, World!");
  });

  test("an empty or blank assistant message is not saved; the note always is", async () => {
    const server = new TestServer({
      async *respond(thread, input, _context, turn) {
        if (input?.content[0]?.type === "input_text" && input.content[0].text === "first") return;
        yield assistantAdded(thread.id, "empty");
        yield assistantAdded(thread.id, "blank", [{ text: "  \n" }]);
        await modelCall(turn);
      },
    });
    const threadId = await threadWith(server);
    const controller = new AbortController();
    const { iterator } = await readUntil(await server.process(JSON.stringify(addMessage(threadId, "go")), ctx, { signal: controller.signal }), (event) => event.type === "thread.item.added" && event.item.id === "blank");
    controller.abort();
    await iterator.next();
    await assert.rejects(server.store.loadItem(threadId, "empty", ctx), /not found/);
    await assert.rejects(server.store.loadItem(threadId, "blank", ctx), /not found/);
    const [note] = await newest(server, threadId, 1);
    assert.equal(note!.type, "sdk_hidden_context");
  });

  test("placeholder parts from index padding and appended annotations are kept", async () => {
    const server = new TestServer({
      async *respond(thread, _input, _context, turn) {
        yield assistantAdded(thread.id, "m");
        const source = { type: "url" as const, title: "Example", url: "https://example.com" };
        yield { type: "thread.item.updated", item_id: "m", update: { type: "assistant_message.content_part.annotation_added", content_index: 2, annotation_index: 5, annotation: { type: "annotation", source } } };
        yield delta("m", "hey", 2);
        await modelCall(turn);
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    const { events, iterator } = await readUntil(result, (event) => isDelta(event) && event.type === "thread.item.updated" && event.update.type.endsWith("text_delta"));
    await iterator.return!();
    const message = await server.store.loadItem(createdThreadId(events), "m", ctx);
    assert.ok(message.type === "assistant_message");
    assert.deepEqual(message.content, [
      { type: "output_text", text: "", annotations: [] },
      { type: "output_text", text: "", annotations: [] },
      { type: "output_text", text: "hey", annotations: [{ type: "annotation", source: { type: "url", title: "Example", url: "https://example.com" } }] },
    ]);
  });

  test("workflows, widgets and shown images are kept; tool calls, inputs and image placeholders are dropped", async () => {
    const server = new TestServer({
      async *respond(thread, _input, _context, turn) {
        const base = { thread_id: thread.id, created_at: now() };
        yield { type: "thread.item.added", item: { ...base, type: "workflow", id: "wf", workflow: { type: "custom", tasks: [], expanded: false } } };
        yield { type: "thread.item.updated", item_id: "wf", update: { type: "workflow.task.added", task_index: 7, task: { type: "custom", title: "Search", status_indicator: "loading" } } };
        yield { type: "thread.item.updated", item_id: "wf", update: { type: "workflow.task.updated", task_index: 0, task: { type: "custom", title: "Searched", status_indicator: "complete" } } };
        yield { type: "thread.item.updated", item_id: "wf", update: { type: "workflow.task.updated", task_index: 9, task: { type: "custom", title: "ignored", status_indicator: "none" } } };
        yield { type: "thread.item.added", item: { ...base, type: "workflow", id: "wf_empty", workflow: { type: "reasoning", tasks: [], expanded: false } } };
        yield { type: "thread.item.added", item: { ...base, type: "widget", id: "w", widget: { type: "Card", children: [{ type: "Text", id: "t", value: "Hel", streaming: true }, { type: "Markdown", id: "md", value: "" }] } } };
        yield { type: "thread.item.updated", item_id: "w", update: { type: "widget.streaming_text.value_delta", component_id: "t", delta: "lo", done: false } };
        yield { type: "thread.item.updated", item_id: "w", update: { type: "widget.streaming_text.value_delta", component_id: "t", delta: ", world", done: false } };
        yield { type: "thread.item.updated", item_id: "w", update: { type: "widget.component.updated", component_id: "md", component: { type: "Markdown", id: "md", value: "**hi**", streaming: true } } };
        yield { type: "thread.item.updated", item_id: "w", update: { type: "widget.streaming_text.value_delta", component_id: "missing", delta: "x", done: false } };
        yield { type: "thread.item.added", item: { ...base, type: "generated_image", id: "img_shown" } };
        yield { type: "thread.item.updated", item_id: "img_shown", update: { type: "generated_image.updated", image: { id: "i1", url: "https://example.com/partial.png" }, progress: 0.5 } };
        yield { type: "thread.item.added", item: { ...base, type: "generated_image", id: "img_none" } };
        yield { type: "thread.item.added", item: { ...base, type: "client_tool_call", id: "tc", status: "pending", call_id: "c", name: "n", arguments: {} } };
        yield { type: "thread.item.added", item: { ...base, type: "structured_input", id: "si", status: "pending", inputs: [] } };
        yield { type: "progress_update", text: "waiting" };
        await modelCall(turn);
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    const { events, iterator } = await readUntil(result, (event) => event.type === "progress_update");
    await iterator.return!();
    const threadId = createdThreadId(events);
    const items = await newest(server, threadId, 20);
    assert.deepEqual(items.map((item) => item.id).slice(1), ["img_shown", "w", "wf", events[1]!.type === "thread.item.done" ? events[1]!.item.id : ""]);
    assert.equal(items[0]!.type, "sdk_hidden_context");
    const byId = Object.fromEntries(items.map((item) => [item.id, item])) as Record<string, ThreadItem>;
    assert.deepEqual((byId.wf as Extract<ThreadItem, { type: "workflow" }>).workflow.tasks, [{ type: "custom", title: "Searched", status_indicator: "complete" }]);
    assert.deepEqual((byId.w as Extract<ThreadItem, { type: "widget" }>).widget, {
      type: "Card",
      children: [{ type: "Text", id: "t", value: "Hello, world", streaming: false }, { type: "Markdown", id: "md", value: "**hi**", streaming: false }],
    });
    assert.deepEqual((byId.img_shown as Extract<ThreadItem, { type: "generated_image" }>).image, { id: "i1", url: "https://example.com/partial.png" });
  });

  test("a thread edit after the last forwarded event is lost, and no thread.updated is sent", async () => {
    const reached = deferred();
    const server = new TestServer({
      async *respond(thread, _input, _context, turn) {
        yield { type: "progress_update", text: "a" };
        thread.title = "late";
        reached.resolve();
        await modelCall(turn);
      },
    });
    const controller = new AbortController();
    const result = await server.process(JSON.stringify(create("x")), ctx, { signal: controller.signal });
    const { events, iterator } = await readUntil(result, (event) => event.type === "progress_update");
    const pendingNext = iterator.next();
    await reached.promise;
    controller.abort();
    assert.deepEqual(await pendingNext, { done: true, value: undefined });
    assert.equal((await server.store.loadThread(createdThreadId(events), ctx)).title, undefined);
  });

  test("the respond generator's finally runs before handleStreamCancelled, which runs once", async () => {
    const order: string[] = [];
    let reason: unknown;
    const server = new TestServer({
      async *respond(thread, _input, _context, turn) {
        turn.signal.addEventListener("abort", () => {
          order.push("signal");
          reason = turn.signal.reason;
        });
        try {
          yield assistantAdded(thread.id, "m", [{ text: "partial" }]);
          await modelCall(turn);
        } finally {
          order.push("finally");
        }
      },
      async handleStreamCancelled(_thread, pending) {
        order.push(`cleanup:${pending.map((item) => item.id).join(",")}`);
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    const { iterator } = await readUntil(result, (event) => event.type === "thread.item.added");
    assert.ok(result instanceof StreamingResult);
    await Promise.all([result.cancel(new Error("stop")), result.cancel(), iterator.return!()]);
    assert.deepEqual(order, ["signal", "finally", "cleanup:m"]);
    assert.deepEqual(reason, new Error("stop"));
  });

  test("a consumer that stops iterating while respond is suspended at a yield cancels too", async () => {
    const calls: string[][] = [];
    const server = new TestServer({
      async *respond(thread) {
        yield assistantAdded(thread.id, "m", [{ text: "a" }]);
        yield delta("m", "b");
        yield delta("m", "c");
      },
      async handleStreamCancelled(_thread, pending) {
        calls.push(pending.map((item) => (item.type === "assistant_message" ? item.content[0]!.text : item.id)));
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    assert.ok(result instanceof StreamingResult);
    let seen = 0;
    for await (const chunk of result) {
      if (decoder.decode(chunk).includes('"delta":"b"')) break;
      seen++;
    }
    assert.equal(seen, 4);
    assert.deepEqual(calls, [["ab"]]);
  });

  test("cancelling the ReadableStream cancels the turn", async () => {
    let aborted = false;
    const server = new TestServer({
      async *respond(thread, _input, _context, turn) {
        try {
          yield assistantAdded(thread.id, "m", [{ text: "kept" }]);
          await modelCall(turn);
        } finally {
          aborted = turn.signal.aborted;
        }
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    assert.ok(result instanceof StreamingResult);
    const reader = result.toReadableStream().getReader();
    let text = "";
    while (!text.includes("thread.item.added")) text += decoder.decode((await reader.read()).value);
    await reader.cancel();
    assert.equal(aborted, true);
    const threadId = createdThreadId(parseSse(text));
    const message = await server.store.loadItem(threadId, "m", ctx);
    assert.ok(message.type === "assistant_message" && message.content[0]!.text === "kept");
  });

  test("never called for a stream that finished, even if cancelled afterwards", async () => {
    let calls = 0;
    const server = new TestServer({
      async *respond(thread) {
        yield assistantAdded(thread.id, "never_done", [{ text: "lost" }]);
      },
      async handleStreamCancelled() {
        calls++;
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    assert.ok(result instanceof StreamingResult);
    const events = [];
    for await (const chunk of result) events.push(chunk);
    await result.cancel();
    assert.equal(calls, 0);
  });

  test("a failing handleStreamCancelled is logged, not thrown", async () => {
    const server = new TestServer({
      async *respond(_thread, _input, _context, turn) {
        yield { type: "progress_update", text: "a" };
        await modelCall(turn);
      },
      async handleStreamCancelled() {
        throw new Error("cleanup failed");
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    const { iterator } = await readUntil(result, (event) => event.type === "progress_update");
    await iterator.return!();
    const errors = (server.logger as unknown as { errors: unknown[][] }).errors;
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]![0]), /handleStreamCancelled failed/);
  });

  /** A server that counts its cleanups, with a `threads.create` whose signal the test aborts. */
  function countingCleanups() {
    let cleanups = 0;
    const server = new TestServer({
      async handleStreamCancelled() {
        cleanups++;
      },
    });
    const controller = new AbortController();
    const nothingRan = async () => {
      assert.equal(server.respondCalls.length, 0);
      assert.equal(cleanups, 0);
      assert.deepEqual((await server.store.loadThreads(10, undefined, "desc", ctx)).data, []);
    };
    const start = () => server.process(JSON.stringify(create("x")), ctx, { signal: controller.signal });
    return { server, controller, start, nothingRan };
  }

  test("a signal aborted before the new thread's lock is taken rejects without writing or running respond", async () => {
    const { controller, start, nothingRan } = countingCleanups();
    controller.abort(new Error("gone before it started"));
    await assert.rejects(start(), /gone before it started/);
    await nothingRan();
  });

  test("a signal aborted after process() returned, before the stream is read, cancels it without running respond", async () => {
    const { server, controller, start, nothingRan } = countingCleanups();
    const result = await start();
    controller.abort();
    assert.ok(result instanceof StreamingResult);
    const chunks = [];
    for await (const chunk of result) chunks.push(chunk);
    assert.deepEqual(chunks, []);
    await nothingRan();
    // The new thread's lock was released: its id can be locked again at once.
    const release = await server.threadLock.acquire("any");
    await release();
  });

  test("with allow_cancel false a hang-up still cleans up the same way", async () => {
    class NoStop extends TestServer {
      override getStreamOptions() {
        return { allow_cancel: false };
      }
    }
    const server = new NoStop({
      async *respond(thread, _input, _context, turn) {
        yield assistantAdded(thread.id, "m", [{ text: "partial" }]);
        await modelCall(turn);
      },
    });
    const controller = new AbortController();
    const result = await server.process(JSON.stringify(create("x")), ctx, { signal: controller.signal });
    const { events, iterator } = await readUntil(result, (event) => event.type === "thread.item.added");
    assert.deepEqual(events[2], { type: "stream_options", stream_options: { allow_cancel: false } });
    controller.abort();
    await iterator.next();
    const [note, message] = await newest(server, createdThreadId(events), 2);
    assert.equal(note!.type, "sdk_hidden_context");
    assert.equal(message!.id, "m");
  });
});

describe("an item of an earlier turn that this turn continues", () => {
  test("a stored workflow updated again is tracked: Stop keeps it with the update applied, settled", async () => {
    const server = new TestServer({
      async *respond(thread, input, _context, turn) {
        const text = input?.content[0]?.type === "input_text" ? input.content[0].text : "";
        if (text === "first") {
          // Paused with a task loading, as a turn waiting for a client tool leaves its workflow.
          const workflow = { type: "workflow" as const, id: "wf", thread_id: thread.id, created_at: now(), workflow: { type: "custom" as const, tasks: [{ type: "custom" as const, title: "Ask the client", status_indicator: "loading" as const }], expanded: true } };
          await server.store.addThreadItem(thread.id, workflow, ctx);
          return;
        }
        yield { type: "thread.item.updated", item_id: "wf", update: { type: "workflow.task.updated", task_index: 0, task: { type: "custom", title: "Asked", status_indicator: "complete" } } };
        yield { type: "thread.item.updated", item_id: "wf", update: { type: "workflow.task.added", task_index: 1, task: { type: "custom", title: "Thinking", status_indicator: "loading" } } };
        await modelCall(turn);
      },
    });
    const threadId = await threadWith(server);
    const result = await server.process(JSON.stringify(addMessage(threadId, "go")), ctx);
    const { events, iterator } = await readUntil(result, (event) => event.type === "thread.item.updated" && event.update.type === "workflow.task.added");
    assert.deepEqual(events.map((event) => event.type), ["thread.item.done", "stream_options", "thread.item.updated", "thread.item.updated"]);
    await iterator.return!();
    const workflow = await server.store.loadItem(threadId, "wf", ctx);
    assert.ok(workflow.type === "workflow");
    assert.deepEqual(workflow.workflow.tasks, [
      { type: "custom", title: "Asked", status_indicator: "complete" },
      { type: "custom", title: "Thinking", status_indicator: "none" },
    ]);
    assert.equal(workflow.workflow.expanded, false);
    assert.equal(typeof (workflow.workflow.summary as { duration?: unknown } | undefined)?.duration, "number");
  });
});

describe("the next turn waits for the cleanup", () => {
  test("a message sent right after Stop sees the partial answer and the note", async () => {
    const cleanupStarted = deferred();
    const releaseCleanup = deferred();
    let seenByNextTurn: ThreadItem[] | undefined;
    class SlowCleanup extends TestServer {
      override async handleStreamCancelled(thread: ThreadMetadata, pending: ThreadItem[], context: TestContext) {
        cleanupStarted.resolve();
        await releaseCleanup.promise;
        await super.handleStreamCancelled(thread, pending, context);
      }
    }
    const server: SlowCleanup = new SlowCleanup({
      async *respond(thread, input, _context, turn) {
        const text = input?.content[0]?.type === "input_text" ? input.content[0].text : "";
        if (text === "first") return;
        if (text === "next") {
          seenByNextTurn = (await server.store.loadThreadItems(thread.id, undefined, 10, "desc", ctx)).data;
          return;
        }
        yield assistantAdded(thread.id, "partial", [{ text: "Half an ans" }]);
        await modelCall(turn);
      },
    });
    const threadId = await threadWith(server);
    const controller = new AbortController();
    const first = await server.process(JSON.stringify(addMessage(threadId, "go")), ctx, { signal: controller.signal });
    const { iterator } = await readUntil(first, (event) => event.type === "thread.item.added");
    const firstDone = iterator.next();
    controller.abort();
    await cleanupStarted.promise;
    // The next message arrives while the cleanup is still running.
    const next = server.process(JSON.stringify(addMessage(threadId, "next")), ctx).then(drainText);
    setTimeout(() => releaseCleanup.resolve(), 30);
    await firstDone;
    await next;
    assert.ok(seenByNextTurn);
    // Newest first: the next user message, the note, the partial answer.
    assert.deepEqual(
      seenByNextTurn.slice(0, 3).map((item) => item.type),
      ["user_message", "sdk_hidden_context", "assistant_message"],
    );
    assert.equal(seenByNextTurn[2]!.id, "partial");
  });

  test("a reload during the cleanup (get_by_id, items.list) waits for it and sees the partial answer", async () => {
    const cleanupStarted = deferred();
    const releaseCleanup = deferred();
    class SlowCleanup extends TestServer {
      override async handleStreamCancelled(thread: ThreadMetadata, pending: ThreadItem[], context: TestContext) {
        cleanupStarted.resolve();
        await releaseCleanup.promise;
        await super.handleStreamCancelled(thread, pending, context);
      }
    }
    const server = new SlowCleanup({
      async *respond(thread, _input, _context, turn) {
        yield assistantAdded(thread.id, "partial", [{ text: "Half" }]);
        await modelCall(turn);
      },
    });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    const { events, iterator } = await readUntil(result, (event) => event.type === "thread.item.added");
    const threadId = createdThreadId(events);
    const stopped = iterator.return!();
    await cleanupStarted.promise;
    let cleanedUp = false;
    const reload = Promise.all([
      server.process(JSON.stringify({ type: "threads.get_by_id", params: { thread_id: threadId } }), ctx),
      server.process(JSON.stringify({ type: "items.list", params: { thread_id: threadId } }), ctx),
    ]).then((results) => ({ cleanedUp, results }));
    setTimeout(() => {
      cleanedUp = true;
      releaseCleanup.resolve();
    }, 20);
    const { cleanedUp: afterCleanup, results } = await reload;
    await stopped;
    assert.equal(afterCleanup, true);
    const thread = JSON.parse((results[0] as { json: string }).json);
    assert.deepEqual(thread.items.data.map((item: ThreadItem) => item.id).slice(1), ["partial"]);
    const page = JSON.parse((results[1] as { json: string }).json);
    assert.deepEqual(page.data.map((item: ThreadItem) => item.type), ["assistant_message", "user_message"]);
  });

  test("a handler that ignores turn.signal cannot hold the thread: cleanup runs after the grace period", async () => {
    const never = new Promise<never>(() => {});
    const server = new TestServer(
      {
        async *respond(thread, input) {
          if (input?.content[0]?.type === "input_text" && input.content[0].text !== "go") return;
          yield assistantAdded(thread.id, "stuck", [{ text: "Partial" }]);
          await never; // a call that was not given turn.signal
        },
      },
      { cancelGraceMs: 30 },
    );
    const threadId = await threadWith(server);
    const controller = new AbortController();
    const result = await server.process(JSON.stringify(addMessage(threadId, "go")), ctx, { signal: controller.signal });
    const { iterator } = await readUntil(result, (event) => event.type === "thread.item.added");
    void iterator.next(); // stays pending as long as the handler hangs
    controller.abort();
    assert.ok(result instanceof StreamingResult);
    await result.cancel(); // resolves when the cleanup is done
    // The lock is free: the next message runs, and sees the partial answer and the note.
    const next = await stream(server, addMessage(threadId, "next"), ctx);
    assert.deepEqual(next.map((event) => event.type), ["thread.item.done", "stream_options"]);
    const [, note, partial] = await newest(server, threadId, 3);
    assert.equal(note!.type, "sdk_hidden_context");
    assert.equal(partial!.id, "stuck");
    const warnings = (server.logger as unknown as { warnings: unknown[][] }).warnings;
    assert.match(String(warnings[0]?.[0]), /did not stop within 30 ms/);
  });

  test("an aborted wait for the lock rejects without touching the store", async () => {
    const server = new TestServer({
      async *respond(_thread, input, _context, turn) {
        if (input?.content[0]?.type === "input_text" && input.content[0].text === "first") return;
        yield { type: "progress_update", text: "busy" };
        await modelCall(turn);
      },
    });
    const threadId = await threadWith(server);
    const busy = await server.process(JSON.stringify(addMessage(threadId, "go")), ctx);
    const { iterator } = await readUntil(busy, (event) => event.type === "progress_update");
    const waiting = new AbortController();
    const second = server.process(JSON.stringify(addMessage(threadId, "waits")), ctx, { signal: waiting.signal });
    waiting.abort(new Error("gave up"));
    await assert.rejects(second, /gave up/);
    const before = await newest(server, threadId);
    assert.equal(before.some((item) => item.type === "user_message" && item.content[0]?.type === "input_text" && item.content[0].text === "waits"), false);
    await iterator.return!();
  });
});


describe("a store other than the default", () => {
  test("the lock can come from the store", async () => {
    const acquired: string[] = [];
    class LockingStore extends InMemoryStore<TestContext> {
      override readonly threadLock = {
        acquire: async (threadId: string) => {
          acquired.push(threadId);
          return async () => {};
        },
      };
    }
    const server = new TestServer({}, { store: new LockingStore() });
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    await stream(server, addMessage(threadId, "y"), ctx);
    // A new thread's first turn holds its lock too.
    assert.deepEqual(acquired, [threadId, threadId]);
  });
});

describe("maxTurnMs", () => {
  /** A server whose turns stream a partial answer, then wait for the model until aborted. */
  function hangingServer(options: { maxTurnMs?: number } = {}) {
    const turns: Turn[] = [];
    const server = new TestServer(
      {
        async *respond(thread, _input, _context, turn) {
          turns.push(turn);
          yield assistantAdded(thread.id, "partial", [{ text: "Half an ans" }]);
          yield delta("partial", "wer");
          await modelCall(turn);
        },
      },
      options,
    );
    return { server, turns };
  }

  test("a turn running longer is cancelled like a hang-up: partial answer and note kept, an error event for the client, a warning", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { server, turns } = hangingServer({ maxTurnMs: 5_000 });
    const result = await server.process(JSON.stringify(create("x")), ctx);
    const { events, iterator } = await readUntil(result, isDelta);
    t.mock.timers.tick(4_999);
    assert.equal(turns[0]!.signal.aborted, false);
    const pending = iterator.next();
    t.mock.timers.tick(1);
    assert.equal(turns[0]!.signal.aborted, true);
    const last = await pending;
    assert.equal(last.done, false);
    assert.deepEqual(parseSse(decoder.decode(last.value as Uint8Array)), [{ type: "error", code: "stream.error", allow_retry: true }]);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    const [note, message] = await newest(server, createdThreadId(events), 2);
    assert.equal(note!.type === "sdk_hidden_context" && note!.content, USER_CANCELLED_NOTE);
    assert.ok(message?.type === "assistant_message" && message.content[0]!.text === "Half an answer");
    const warnings = (server.logger as unknown as { warnings: unknown[][] }).warnings;
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]![0]), /^A turn of thread thr_\w+ ran longer than maxTurnMs \(5000 ms\); cancelling it as if the client had hung up$/);
  });

  test("the limit also frees a thread whose result nobody reads", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { server, turns } = hangingServer({ maxTurnMs: 1_000 });
    await server.store.saveThread({ id: "thr_idle", created_at: now(), status: { type: "active" }, metadata: {} }, ctx);
    const unread = await server.process(JSON.stringify(addMessage("thr_idle", "never read")), ctx);
    assert.ok(unread instanceof StreamingResult);
    const next = server.process(JSON.stringify(addMessage("thr_idle", "next")), ctx);
    t.mock.timers.tick(1_000);
    const { iterator } = await readUntil(await next, isDelta);
    assert.equal(turns.length, 1, "only the second request ran respond");
    // Nothing of the unread request was written; the next one's message was.
    assert.deepEqual((await newest(server, "thr_idle")).map((item) => item.type === "user_message" && item.content[0]?.text), ["next"]);
    await iterator.return!();
  });

  test(`the default limit is ${DEFAULT_MAX_TURN_MS} ms (10 minutes); Infinity means none`, async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    assert.equal(DEFAULT_MAX_TURN_MS, 600_000);
    const byDefault = hangingServer();
    const unlimited = hangingServer({ maxTurnMs: Infinity });
    const reads = [];
    for (const { server } of [byDefault, unlimited]) {
      reads.push(await readUntil(await server.process(JSON.stringify(create("x")), ctx), isDelta));
    }
    t.mock.timers.tick(DEFAULT_MAX_TURN_MS - 1);
    assert.equal(byDefault.turns[0]!.signal.aborted, false);
    t.mock.timers.tick(1);
    assert.equal(byDefault.turns[0]!.signal.aborted, true);
    t.mock.timers.tick(365 * 24 * 3_600_000);
    assert.equal(unlimited.turns[0]!.signal.aborted, false);
    for (const { result } of reads) await (result as StreamingResult).cancel();
  });

  test("a limit that is not a positive number is refused when the server is built", () => {
    for (const maxTurnMs of [0, -1, Number.NaN]) {
      assert.throws(() => new TestServer({}, { maxTurnMs }), /maxTurnMs must be a positive number of milliseconds/);
    }
  });
});
