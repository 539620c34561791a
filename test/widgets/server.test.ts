import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ChatKitServer,
  InMemoryStore,
  NonStreamingResult,
  RequestError,
  StreamingResult,
  SyncCustomActionResponseSchema,
  toFetchHandler,
  USER_CANCELLED_NOTE,
  type Action,
  type SyncCustomActionResponse,
  type ThreadItem,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
  type WidgetItem,
} from "../../src/index.js";
import { Card, streamWidget, Text, type WidgetRoot } from "../../src/widgets/index.js";
import { create, createdThreadId, MemoryLogger, parseSse, stream, type TestContext } from "../support/helpers.js";

const ctx: TestContext = { userId: "u1" };
const decoder = new TextDecoder();

type Respond = (server: WidgetServer, thread: ThreadMetadata, input: UserMessageItem | null, turn: Turn) => AsyncIterable<ThreadStreamEvent>;

/** A server subclass as an integrator writes one; each test supplies its behaviour. */
class WidgetServer extends ChatKitServer<TestContext> {
  readonly actionCalls: Array<{ action: Action; sender: WidgetItem | null }> = [];
  readonly syncCalls: Array<{ action: Action; sender: WidgetItem | null }> = [];
  constructor(
    private readonly behaviour: {
      respond?: Respond;
      action?: (thread: ThreadMetadata, action: Action, sender: WidgetItem | null) => AsyncIterable<ThreadStreamEvent>;
      syncAction?: (action: Action, sender: WidgetItem | null) => SyncCustomActionResponse;
    },
  ) {
    super({ store: new InMemoryStore<TestContext>(), logger: new MemoryLogger() });
  }
  async *respond(thread: ThreadMetadata, input: UserMessageItem | null, _context: TestContext, turn: Turn) {
    if (this.behaviour.respond) yield* this.behaviour.respond(this, thread, input, turn);
  }
  override action(thread: ThreadMetadata, action: Action, sender: WidgetItem | null, context: TestContext, turn: Turn) {
    if (!this.behaviour.action) return super.action(thread, action, sender, context, turn);
    this.actionCalls.push({ action, sender });
    return this.behaviour.action(thread, action, sender);
  }
  override async syncAction(thread: ThreadMetadata, action: Action, sender: WidgetItem | null, context: TestContext) {
    if (!this.behaviour.syncAction) return super.syncAction(thread, action, sender, context);
    this.syncCalls.push({ action, sender });
    return this.behaviour.syncAction(action, sender);
  }
}

const emailSent = (): WidgetRoot => Card({ children: [Text({ value: "Email sent!" })] });
const helloFrame = (n: number, streaming?: boolean) =>
  Card({ children: [Text({ id: "text", value: "Hello, world".slice(0, n), ...(streaming === undefined ? {} : { streaming }) })] });
async function* frames(...roots: WidgetRoot[]) {
  for (const root of roots) yield root;
}

/** The events of the widget item only, with `created_at` checked and replaced by "T". */
function widgetEvents(events: ThreadStreamEvent[], itemId: string) {
  const mine = events.filter(
    (e) =>
      (e.type === "thread.item.updated" && e.item_id === itemId) ||
      ((e.type === "thread.item.added" || e.type === "thread.item.done") && e.item.id === itemId),
  );
  return JSON.parse(JSON.stringify(mine), (key, value: unknown) => (key === "created_at" ? "T" : value)) as unknown[];
}

async function threadWithWidget() {
  const server = new WidgetServer({
    async *respond(_server, thread) {
      yield {
        type: "thread.item.done",
        item: { type: "widget", id: "wd_1", thread_id: thread.id, created_at: new Date().toISOString(), widget: Card({ children: [Text({ key: "text_1", value: "test" })] }) },
      };
      yield {
        type: "thread.item.done",
        item: { type: "assistant_message", id: "asst_1", thread_id: thread.id, created_at: new Date().toISOString(), content: [{ type: "output_text", text: "hi", annotations: [] }] },
      };
    },
    async *action(_thread, _action, sender) {
      yield { type: "thread.item.updated", item_id: sender!.id, update: { type: "widget.root.updated", widget: emailSent() } };
    },
    syncAction: (action, sender) => (action.type === "noop" ? {} : { updated_item: { ...sender!, widget: emailSent() } }),
  });
  const threadId = createdThreadId(await stream(server, create("show me"), ctx));
  return { server, threadId };
}

const customAction = (threadId: string, itemId: string | null, action: Record<string, unknown>, type = "threads.custom_action") => ({
  type,
  params: { thread_id: threadId, item_id: itemId, action },
});

describe("widget actions (cases 20, 21, 40-44)", () => {
  test("20: threads.custom_action calls action once with the stored sender; the stream is [stream_options, updated]", async () => {
    const { server, threadId } = await threadWithWidget();
    const sender = await server.store.loadItem(threadId, "wd_1", ctx);
    const events = await stream(server, customAction(threadId, "wd_1", { type: "create_user", payload: { user_id: "123" } }), ctx);
    assert.deepEqual(server.actionCalls, [{ action: { type: "create_user", payload: { user_id: "123" } }, sender }]);
    assert.deepEqual(events, [
      { type: "stream_options", stream_options: { allow_cancel: true } },
      { type: "thread.item.updated", item_id: "wd_1", update: { type: "widget.root.updated", widget: emailSent() } },
    ]);
    // TS also applies the update to the stored sender (widgets.md §2.3), so a reload shows it.
    assert.deepEqual(await server.store.loadItem(threadId, "wd_1", ctx), { ...sender, widget: emailSent() });
  });

  test("21: threads.sync_custom_action answers a SyncCustomActionResponse with the updated sender", async () => {
    const { server, threadId } = await threadWithWidget();
    const sender = await server.store.loadItem(threadId, "wd_1", ctx);
    const result = await server.process(
      JSON.stringify(customAction(threadId, "wd_1", { type: "create_user", payload: { user_id: "123" } }, "threads.sync_custom_action")),
      ctx,
    );
    assert.ok(result instanceof NonStreamingResult);
    assert.deepEqual(server.syncCalls, [{ action: { type: "create_user", payload: { user_id: "123" } }, sender }]);
    const response = SyncCustomActionResponseSchema.parse(JSON.parse(result.json));
    assert.deepEqual(response, { updated_item: { ...sender, widget: emailSent() } });
    assert.deepEqual(await server.store.loadItem(threadId, "wd_1", ctx), response.updated_item);
  });

  test("40: an item_id that is not a widget → only an error event (no retry), action not called", async () => {
    const { server, threadId } = await threadWithWidget();
    const events = await stream(server, customAction(threadId, "asst_1", { type: "create_user" }), ctx);
    assert.deepEqual(events, [{ type: "error", code: "stream.error", allow_retry: false }]);
    assert.deepEqual(server.actionCalls, []);
  });

  test("41: action not overridden → stream_options, then a retryable error", async () => {
    const server = new WidgetServer({});
    const threadId = createdThreadId(await stream(server, create("x"), ctx));
    const events = await stream(server, customAction(threadId, null, { type: "create_user" }), ctx);
    assert.deepEqual(events, [
      { type: "stream_options", stream_options: { allow_cancel: true } },
      { type: "error", code: "stream.error", allow_retry: true },
    ]);
  });

  test("42: sync with a non-widget sender → 400 with a JSON error, store unchanged", async () => {
    const { server, threadId } = await threadWithWidget();
    const before = await server.store.loadThreadItems(threadId, undefined, 20, "asc", ctx);
    const body = JSON.stringify(customAction(threadId, "asst_1", { type: "create_user" }, "threads.sync_custom_action"));
    await assert.rejects(server.process(body, ctx), (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.status, 400);
      return true;
    });
    const handler = toFetchHandler(server, { context: () => ctx });
    const response = await handler(new Request("http://localhost/chatkit", { method: "POST", body, headers: { "content-type": "application/json" } }));
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: "threads.sync_custom_action requires a widget sender item" });
    assert.deepEqual(server.syncCalls, []);
    assert.deepEqual(await server.store.loadThreadItems(threadId, undefined, 20, "asc", ctx), before);
  });

  test("43: a sync response without updated_item is {}", async () => {
    const { server, threadId } = await threadWithWidget();
    const result = await server.process(JSON.stringify(customAction(threadId, "wd_1", { type: "noop" }, "threads.sync_custom_action")), ctx);
    assert.ok(result instanceof NonStreamingResult);
    assert.equal(result.json, "{}");
  });

  test("44: extra action keys are accepted and dropped; a missing payload becomes null", async () => {
    const { server, threadId } = await threadWithWidget();
    const extra = { handler: "server", loadingBehavior: "container", streaming: true };
    await stream(server, customAction(threadId, "wd_1", { type: "a", payload: { x: 1 }, ...extra }), ctx);
    await stream(server, customAction(threadId, "wd_1", { type: "b" }), ctx);
    await server.process(JSON.stringify(customAction(threadId, "wd_1", { type: "c", ...extra, streaming: false }, "threads.sync_custom_action")), ctx);
    assert.deepEqual(server.actionCalls.map((c) => c.action), [{ type: "a", payload: { x: 1 } }, { type: "b", payload: null }]);
    assert.deepEqual(server.syncCalls.map((c) => c.action), [{ type: "c", payload: null }]);
  });
});

describe("streaming widgets through the server (cases 22-24, 38, 39)", () => {
  const generate = (server: WidgetServer, thread: ThreadMetadata) => () => server.store.generateItemId("message", thread, ctx);

  test("22: four growing frames → added(''), deltas 'Hel' 'lo,' ' world', done('Hello, world'); the item is stored", async () => {
    let itemId = "";
    const server = new WidgetServer({
      async *respond(s, thread) {
        const gen = generate(s, thread);
        yield* streamWidget(thread, frames(helloFrame(0), helloFrame(3), helloFrame(6), helloFrame(12)), {
          generateId: () => (itemId = gen()),
        });
      },
    });
    const events = await stream(server, create("go"), ctx);
    const threadId = createdThreadId(events);
    const item = (widget: WidgetRoot) => ({ type: "widget", id: itemId, thread_id: threadId, created_at: "T", widget });
    const delta = (d: string) => ({
      type: "thread.item.updated",
      item_id: itemId,
      update: { type: "widget.streaming_text.value_delta", component_id: "text", delta: d, done: true },
    });
    assert.deepEqual(widgetEvents(events, itemId), [
      { type: "thread.item.added", item: item(helloFrame(0)) },
      delta("Hel"),
      delta("lo,"),
      delta(" world"),
      { type: "thread.item.done", item: item(helloFrame(12)) },
    ]);
    const stored = await server.store.loadItem(threadId, itemId, ctx);
    assert.deepEqual(stored.type === "widget" && stored.widget, helloFrame(12));
  });

  test("23: a full replace → added('Hello'), root.updated('World'), done('World')", async () => {
    let itemId = "";
    const text = (value: string) => Card({ children: [Text({ id: "text", value })] });
    const server = new WidgetServer({
      async *respond(s, thread) {
        const gen = generate(s, thread);
        yield* streamWidget(thread, frames(text("Hello"), text("World")), { generateId: () => (itemId = gen()) });
      },
    });
    const events = await stream(server, create("go"), ctx);
    const threadId = createdThreadId(events);
    const item = (widget: WidgetRoot) => ({ type: "widget", id: itemId, thread_id: threadId, created_at: "T", widget });
    assert.deepEqual(widgetEvents(events, itemId), [
      { type: "thread.item.added", item: item(text("Hello")) },
      { type: "thread.item.updated", item_id: itemId, update: { type: "widget.root.updated", widget: text("World") } },
      { type: "thread.item.done", item: item(text("World")) },
    ]);
  });

  test("24: a replaced widget is persisted", async () => {
    const server = new WidgetServer({
      async *respond(_s, thread) {
        const item = (value: string): WidgetItem => ({
          type: "widget",
          id: "wd_replace",
          thread_id: thread.id,
          created_at: new Date().toISOString(),
          widget: Card({ children: [Text({ value })] }),
        });
        yield { type: "thread.item.done", item: item("Original widget content") };
        yield { type: "thread.item.replaced", item: item("Replaced widget content") };
      },
    });
    const events = await stream(server, create("go"), ctx);
    const threadId = createdThreadId(events);
    const replaced = events.find((e) => e.type === "thread.item.replaced");
    assert.ok(replaced && replaced.type === "thread.item.replaced" && replaced.item.id === "wd_replace");
    const result = await server.process(JSON.stringify({ type: "items.list", params: { thread_id: threadId } }), ctx);
    assert.ok(result instanceof NonStreamingResult);
    const page = JSON.parse(result.json) as { data: ThreadItem[] };
    const widgets = page.data.filter((i) => i.id === "wd_replace");
    assert.equal(widgets.length, 1);
    assert.ok(widgets[0]!.type === "widget");
    assert.deepEqual(widgets[0]!.widget.children[0], { type: "Text", value: "Replaced widget content" });
  });

  test("38: the object yielded with thread.item.added is not mutated by the updates", async () => {
    const added: WidgetItem = {
      type: "widget",
      id: "wd_live",
      thread_id: "",
      created_at: new Date().toISOString(),
      widget: helloFrame(0, true),
    };
    const snapshot = structuredClone(added);
    const server = new WidgetServer({
      async *respond(_s, thread) {
        added.thread_id = snapshot.thread_id = thread.id;
        yield { type: "thread.item.added", item: added };
        yield { type: "thread.item.updated", item_id: "wd_live", update: { type: "widget.streaming_text.value_delta", component_id: "text", delta: "Hi", done: false } };
        yield { type: "thread.item.done", item: { ...snapshot, widget: helloFrame(2, true) } };
      },
    });
    await stream(server, create("go"), ctx);
    assert.deepEqual(added, snapshot);
  });

  test("39: a disconnect mid-stream stores the widget with its deltas and settled text, then the note", async () => {
    let itemId = "";
    let seenNextTurn: ThreadItem[] = [];
    const server = new WidgetServer({
      async *respond(s, thread, input, turn) {
        const text = input?.content[0]?.type === "input_text" ? input.content[0].text : "";
        if (text === "again") {
          seenNextTurn = (await s.store.loadThreadItems(thread.id, undefined, 20, "asc", ctx)).data;
          return;
        }
        async function* model() {
          yield helloFrame(0, true);
          yield helloFrame(3, true);
          yield helloFrame(6, true);
          // The model hangs until the turn is cancelled.
          await new Promise<never>((_, reject) => turn.signal.addEventListener("abort", () => reject(turn.signal.reason), { once: true }));
        }
        const gen = generate(s, thread);
        yield* streamWidget(thread, model(), { generateId: () => (itemId = gen()) });
      },
    });
    const controller = new AbortController();
    const result = await server.process(JSON.stringify(create("go")), ctx, { signal: controller.signal });
    assert.ok(result instanceof StreamingResult);
    const iterator = result[Symbol.asyncIterator]();
    const seen: ThreadStreamEvent[] = [];
    while (seen.filter((e) => e.type === "thread.item.updated").length < 2) {
      const next = await iterator.next();
      assert.equal(next.done, false);
      seen.push(...parseSse(decoder.decode(next.value as Uint8Array)));
    }
    controller.abort();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      seen.push(...parseSse(decoder.decode(next.value)));
    }
    assert.equal(seen.some((e) => e.type === "thread.item.done" && e.item.id === itemId), false);
    const threadId = createdThreadId(seen);

    const items = (await server.store.loadThreadItems(threadId, undefined, 20, "asc", ctx)).data;
    const widgetIndex = items.findIndex((i) => i.id === itemId);
    const widget = items[widgetIndex];
    assert.ok(widget?.type === "widget");
    assert.deepEqual(widget.widget, helloFrame(6, false));
    const note = items[widgetIndex + 1];
    assert.ok(note?.type === "sdk_hidden_context");
    assert.equal(note.content, USER_CANCELLED_NOTE);

    await stream(server, { type: "threads.add_user_message", params: { thread_id: threadId, input: { content: [{ type: "input_text", text: "again" }], attachments: [], inference_options: {} } } }, ctx);
    const ids = seenNextTurn.map((i) => i.id);
    assert.ok(ids.includes(itemId) && ids.includes(note.id));
    assert.ok(ids.indexOf(itemId) < ids.indexOf(note.id));
  });
});
