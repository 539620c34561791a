import assert from "node:assert/strict";
import { after, describe, test, type TestContext as NodeTestContext } from "node:test";
import pg from "pg";
import {
  InProcessThreadLock,
  STREAM_FAILED_NOTE,
  USER_CANCELLED_NOTE,
  type Store,
  type ThreadItem,
  type ThreadLock,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type UserMessageItem,
} from "../../src/index.js";
import type { PostgresStore } from "../../src/store/postgres/index.js";
import { addMessage, create, ctx, deferred, MemoryLogger, modelCall, now, TestServer, tick, type Respond, type TestContext } from "../support/helpers.js";
import { adapters, EventStream, post, postJson, streamEvents, type ContextOf, type Mounted } from "../support/http.js";
import { advisoryLockHolder, postgresPair, postgresUrl, shippedStores } from "../support/stores.js";

/*
 * The turn guarantee over real sockets, for every store and both adapters: one turn per thread at
 * a time, and a turn that ends early (Stop, a hang-up, a failure) leaves exactly what the user saw,
 * then a note for the model, before the next turn or a reload reads the thread. With
 * PostgresStore, the same across two instances (each with its own pools) on one database.
 */

const textOf = (input: UserMessageItem | null) => (input?.content[0]?.type === "input_text" ? input.content[0].text : "");

const assistantAdded = (threadId: string, id: string, text: string): ThreadStreamEvent => ({
  type: "thread.item.added",
  item: { type: "assistant_message", id, thread_id: threadId, created_at: now(), content: [{ type: "output_text", text, annotations: [] }] },
});
const delta = (itemId: string, text: string): ThreadStreamEvent => ({
  type: "thread.item.updated",
  item_id: itemId,
  update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
});
const isDelta = (event: ThreadStreamEvent) => event.type === "thread.item.updated";
const createdId = (event: ThreadStreamEvent) => {
  assert.equal(event.type, "thread.created");
  return (event as Extract<ThreadStreamEvent, { type: "thread.created" }>).thread.id;
};

/** A thread's items, oldest first, as short strings. */
async function summary(store: Store<TestContext>, threadId: string): Promise<string[]> {
  const items = (await store.loadThreadItems(threadId, undefined, 50, "asc", ctx)).data;
  return items.map(summarize);
}
function summarize(item: ThreadItem): string {
  switch (item.type) {
    case "user_message":
      return `user: ${item.content.map((part) => part.text).join("")}`;
    case "assistant_message":
      return `assistant ${item.id}: ${item.content.map((part) => part.text).join("")}`;
    case "sdk_hidden_context":
      return `note: ${item.content}`;
    default:
      return `${item.type} ${item.id}`;
  }
}

/** A test that fails instead of hanging when a turn never ends. */
const it = (name: string, fn: (t: NodeTestContext) => Promise<void>) => test(name, { timeout: 30_000 }, fn);

const STREAM_ERROR = { type: "error", code: "stream.error", allow_retry: true };
const getById = (threadId: string) => ({ type: "threads.get_by_id", params: { thread_id: threadId } });
const itemsList = (threadId: string) => ({ type: "items.list", params: { thread_id: threadId } });

/** A TestServer whose cancellation cleanup can be held back by a test. */
class Server extends TestServer {
  cleanupGate: (() => Promise<void>) | undefined;
  override async handleStreamCancelled(thread: ThreadMetadata, pending: ThreadItem[], context: TestContext) {
    await this.cleanupGate?.();
    return super.handleStreamCancelled(thread, pending, context);
  }
}

/** Requests as they reach the server (its context builder), by their `x-test` label. */
class Arrivals {
  readonly #waiting = new Map<string, ReturnType<typeof deferred<void>>>();
  #get(label: string) {
    let entry = this.#waiting.get(label);
    if (!entry) this.#waiting.set(label, (entry = deferred<void>()));
    return entry;
  }
  readonly contextOf: ContextOf<TestContext> = (headers) => {
    const label = headers.get("x-test");
    if (label) this.#get(label).resolve();
    return ctx;
  };
  /** Resolves once a request labelled `label` has arrived. */
  of(label: string): Promise<void> {
    return this.#get(label).promise;
  }
}
const label = (name: string) => ({ "x-test": name });

interface App {
  server: Server;
  url: string;
  store: Store<TestContext>;
  logger: MemoryLogger;
}

/** Long enough for a waiter that wrongly skipped ahead to have started: a few polls of the PostgreSQL lock. */
const settle = () => tick(250);

const stores = shippedStores();
after(() => stores.cleanup());

for (const kind of stores.kinds) {
  /** Whether several server processes can share the store's data. */
  const shared = kind.name === "postgres";
  describe(`the turn guarantee with ${kind.name}`, { skip: kind.skip }, () => {

    for (const [adapterName, mount] of adapters) {
      describe(adapterName, () => {
        /** One server (or two on one database: `twin`) mounted with this adapter; closed after the test. */
        async function setUp(
          t: NodeTestContext,
          hooks: ConstructorParameters<typeof TestServer>[0],
          options: { threadLock?: (store: Store<TestContext>) => ThreadLock; twin?: boolean; maxTurnMs?: number } = {},
        ): Promise<{ arrivals: Arrivals; a: App; b: App }> {
          const arrivals = new Arrivals();
          let store: Store<TestContext>;
          let twin: Store<TestContext> | undefined;
          if (options.twin) {
            const pair = postgresPair<TestContext>();
            t.after(() => pair.close());
            [store, twin] = [pair.a, pair.b];
          } else store = kind.create<TestContext>();
          const start = async (store: Store<TestContext>): Promise<App> => {
            const logger = new MemoryLogger();
            const server = new Server(hooks, { store, logger, ...(options.threadLock ? { threadLock: options.threadLock(store) } : {}) });
            const mounted: Mounted = await mount(server, arrivals.contextOf, { keepAliveMs: 0 });
            t.after(() => mounted.close());
            return { server, url: mounted.url, store, logger };
          };
          const a = await start(store);
          const b = twin ? await start(twin) : a;
          return { arrivals, a, b };
        }

        /** A thread with one finished turn, made through `app`. */
        async function threadOn(app: App): Promise<string> {
          const events = (await streamEvents(app.url, create("first"))).events;
          return createdId(events[0]!);
        }

        const instances: Array<[string, boolean]> = [["on the same instance", false]];
        if (shared) instances.push(["on another instance", true]);
        for (const [instance, twin] of instances) {
          it(`Stop during a new thread's first turn, then a message at once ${instance}: the next turn sees the partial answer and the note`, async (t) => {
            const seen = deferred<string[]>();
            let store!: Store<TestContext>;
            const { arrivals, a, b } = await setUp(t, {
              async *respond(thread, input, _context, turn) {
                if (textOf(input) === "next") {
                  seen.resolve(await summary(store, thread.id));
                  return;
                }
                yield assistantAdded(thread.id, "partial", "Half an ans");
                yield delta("partial", "wer");
                await modelCall(turn);
              },
            }, { twin });
            store = a.store;
            // The cleanup takes its time: the next message has arrived before it writes anything.
            a.server.cleanupGate = async () => {
              await arrivals.of("next");
              await settle();
            };
            const first = await EventStream.open(a.url, create("go"));
            const threadId = createdId((await first.next())!);
            await first.until(isDelta);
            first.hangUp();
            const next = await streamEvents(b.url, addMessage(threadId, "next"), label("next"));
            assert.deepEqual(next.events.map((event) => event.type), ["thread.item.done", "stream_options"]);
            assert.deepEqual(await seen.promise, ["user: go", "assistant partial: Half an answer", `note: ${USER_CANCELLED_NOTE}`, "user: next"]);
          });

          it(`a message sent ${instance} during a new thread's first turn waits for that turn to end`, async (t) => {
            const finishFirst = deferred();
            const log: string[] = [];
            let store!: Store<TestContext>;
            const { arrivals, a, b } = await setUp(t, {
              async *respond(thread, input) {
                const text = textOf(input);
                log.push(`start ${text}`);
                if (text === "go") {
                  yield assistantAdded(thread.id, "answer", "The ans");
                  yield delta("answer", "wer");
                  await finishFirst.promise;
                  yield { type: "thread.item.done", item: { type: "assistant_message", id: "answer", thread_id: thread.id, created_at: now(), content: [{ type: "output_text", text: "The answer.", annotations: [] }] } };
                } else {
                  log.push(...(await summary(store, thread.id)));
                }
                log.push(`end ${text}`);
              },
            }, { twin });
            store = a.store;
            const first = await EventStream.open(a.url, create("go"));
            const threadId = createdId((await first.next())!);
            await first.until(isDelta);
            const next = streamEvents(b.url, addMessage(threadId, "next"), label("next"));
            await arrivals.of("next");
            await settle();
            log.push("first turn released");
            finishFirst.resolve();
            await first.rest();
            await next;
            assert.deepEqual(log, ["start go", "first turn released", "end go", "start next", "user: go", "assistant answer: The answer.", "user: next", "end next"]);
          });
        }

        it("requests that give up while queued leave the queue: the turns that remain run one at a time, in order", async (t) => {
          const log: string[] = [];
          const releaseOne = deferred();
          // Lock requests so far, and who waits for the count to reach a number.
          let requested = 0;
          const reached: Array<{ count: number; resolve(): void }> = [];
          const requests = (count: number) => new Promise<void>((resolve) => (requested >= count ? resolve() : reached.push({ count, resolve })));
          const gaveUp = deferred();
          const { arrivals, a } = await setUp(t, {
            async *respond(_thread, input) {
              const text = textOf(input);
              if (text === "first") return;
              log.push(`start ${text}`);
              yield { type: "progress_update", text };
              if (text === "one") await releaseOne.promise;
              log.push(`end ${text}`);
            },
          }, {
            // The store's own lock (or the in-process default), watched: when requests queue, when one gives up.
            threadLock: (store) => {
              const inner: ThreadLock = store.threadLock ?? new InProcessThreadLock();
              return {
                acquire(threadId, signal) {
                  requested++;
                  for (const waiter of reached) if (requested >= waiter.count) waiter.resolve();
                  const acquired = inner.acquire(threadId, signal);
                  acquired.catch(() => gaveUp.resolve());
                  return acquired;
                },
                ...(inner.cleanupSettled ? { cleanupSettled: (threadId: string) => inner.cleanupSettled!(threadId) } : {}),
              };
            },
          });
          const threadId = await threadOn(a);
          const one = await EventStream.open(a.url, addMessage(threadId, "one"));
          await one.until((event) => event.type === "progress_update");
          const giveUp = new AbortController();
          const two = post(a.url, addMessage(threadId, "two"), label("two"), giveUp.signal).catch((error: unknown) => error);
          await requests(requested + 1);
          await arrivals.of("two");
          giveUp.abort();
          await gaveUp.promise;
          await two;
          const three = streamEvents(a.url, addMessage(threadId, "three"));
          await requests(requested + 1);
          await settle();
          log.push("one released");
          releaseOne.resolve();
          await one.rest();
          const events = (await three).events;
          assert.deepEqual(events.map((event) => event.type), ["thread.item.done", "stream_options", "progress_update"]);
          assert.deepEqual(log, ["start one", "one released", "end one", "start three", "end three"]);
          assert.deepEqual((await summary(a.store, threadId)).filter((entry) => entry.startsWith("user")), ["user: first", "user: one", "user: three"]);
        });

        it("a failed turn keeps what the user saw, then a note for the model; the client's error event is unchanged", async (t) => {
          const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
          const seen = deferred<string[]>();
          let store!: Store<TestContext>;
          const { a } = await setUp(t, {
            async *respond(thread, input) {
              if (textOf(input) === "next") {
                seen.resolve(await summary(store, thread.id));
                return;
              }
              yield { type: "thread.item.added", item: { type: "workflow", id: "wf", thread_id: thread.id, created_at: hourAgo, workflow: { type: "custom", tasks: [{ type: "custom", title: "Searched", status_indicator: "complete" }], expanded: true } } };
              yield { type: "thread.item.updated", item_id: "wf", update: { type: "workflow.task.added", task_index: 1, task: { type: "custom", title: "Reading", status_indicator: "loading" } } };
              yield assistantAdded(thread.id, "partial", "Half an ans");
              yield delta("partial", "wer");
              throw new Error("upstream model error");
            },
          });
          store = a.store;
          const failed = await streamEvents(a.url, create("go"));
          const threadId = createdId(failed.events[0]!);
          assert.deepEqual(failed.events.at(-1), STREAM_ERROR);
          assert.deepEqual(failed.events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "thread.item.added", "thread.item.updated", "thread.item.added", "thread.item.updated", "error"]);
          assert.match(String(a.logger.errors[0]?.[0]), /Error while streaming a response/);
          // A reload shows it (the note stays hidden) ...
          const reload = await postJson(a.url, getById(threadId));
          assert.equal(reload.status, 200);
          // The workflow started an hour ago: it sorts first.
          assert.deepEqual(reload.json.items.data.map((item: ThreadItem) => item.type), ["workflow", "user_message", "assistant_message"]);
          const workflow = reload.json.items.data[0].workflow;
          assert.deepEqual(workflow.tasks, [
            { type: "custom", title: "Searched", status_indicator: "complete" },
            { type: "custom", title: "Reading", status_indicator: "none" },
          ]);
          assert.ok(Math.abs(workflow.summary.duration - 3600) <= 1, JSON.stringify(workflow.summary));
          assert.equal(workflow.expanded, false);
          // ... and the next turn sees it, with the note.
          await streamEvents(a.url, addMessage(threadId, "next"));
          assert.deepEqual(await seen.promise, ["workflow wf", "user: go", "assistant partial: Half an answer", `note: ${STREAM_FAILED_NOTE}`, "user: next"]);
        });

        it("Stop keeps a workflow settled: no task left loading, the duration summary of a normal end", async (t) => {
          const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
          const cleaned = deferred();
          const { a } = await setUp(t, {
            async *respond(thread, _input, _context, turn) {
              yield { type: "thread.item.added", item: { type: "workflow", id: "wf", thread_id: thread.id, created_at: hourAgo, workflow: { type: "reasoning", tasks: [{ type: "thought", content: "Thinking", status_indicator: "loading" }], expanded: true } } };
              yield { type: "progress_update", text: "working" };
              await modelCall(turn);
            },
          });
          a.server.cleanupGate = async () => cleaned.resolve();
          const stream = await EventStream.open(a.url, create("go"));
          const threadId = createdId((await stream.next())!);
          await stream.until((event) => event.type === "progress_update");
          stream.hangUp();
          await cleaned.promise;
          const reload = await postJson(a.url, getById(threadId));
          const workflow = reload.json.items.data.find((item: ThreadItem) => item.id === "wf").workflow;
          assert.deepEqual(workflow.tasks, [{ type: "thought", content: "Thinking", status_indicator: "none" }]);
          assert.ok(Math.abs(workflow.summary.duration - 3600) <= 1, JSON.stringify(workflow.summary));
          assert.equal(workflow.expanded, false);
        });

        it("hidden items never leave the server: no added, done or replaced event for them; they are stored", async (t) => {
          const { a } = await setUp(t, {
            async *respond(thread) {
              const base = { thread_id: thread.id, created_at: now() };
              yield { type: "thread.item.added", item: { ...base, type: "hidden_context_item", id: "hidden_1", content: { secret: "s1" } } };
              yield { type: "thread.item.done", item: { ...base, type: "hidden_context_item", id: "hidden_1", content: { secret: "s1" } } };
              yield { type: "thread.item.replaced", item: { ...base, type: "hidden_context_item", id: "hidden_1", content: { secret: "s2" } } };
              yield { type: "thread.item.added", item: { ...base, type: "sdk_hidden_context", id: "hidden_2", content: "sdk secret" } };
              yield { type: "thread.item.done", item: { ...base, type: "sdk_hidden_context", id: "hidden_2", content: "sdk secret" } };
              yield { type: "thread.item.replaced", item: { ...base, type: "sdk_hidden_context", id: "hidden_3", content: "sdk secret 3" } };
              yield { type: "thread.item.done", item: { ...base, type: "assistant_message", id: "visible", content: [{ type: "output_text", text: "shown", annotations: [] }] } };
            },
          });
          const stream = await streamEvents(a.url, create("go"));
          assert.deepEqual(stream.events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "thread.item.done"]);
          assert.doesNotMatch(stream.text, /hidden_|secret/);
          const threadId = createdId(stream.events[0]!);
          const stored = (await a.store.loadThreadItems(threadId, undefined, 10, "asc", ctx)).data;
          assert.deepEqual(stored.map((item) => item.id).slice(1), ["hidden_1", "hidden_2", "hidden_3", "visible"]);
          assert.deepEqual((stored[1] as Extract<ThreadItem, { type: "hidden_context_item" }>).content, { secret: "s2" });
        });

        it("optional fields a handler sets to null are absent on the wire and in the store", async (t) => {
          const loose = (event: unknown) => event as ThreadStreamEvent;
          const { a } = await setUp(t, {
            async *respond(thread) {
              const base = { thread_id: thread.id, created_at: now() };
              yield loose({ type: "progress_update", icon: null, text: "working" });
              yield loose({ type: "notice", level: "info", message: "note", title: null });
              const source = { type: "url", title: "Doc", url: "https://example.com/", description: null, timestamp: null, group: null, attribution: null };
              const message = { ...base, type: "assistant_message", id: "m", content: [{ type: "output_text", text: "See", annotations: [{ type: "annotation", source, index: null }] }] };
              yield loose({ type: "thread.item.added", item: message });
              yield loose({ type: "thread.item.done", item: message });
              yield loose({ type: "thread.item.done", item: { ...base, type: "widget", id: "w", widget: { type: "Card", children: [] }, copy_text: null } });
              yield loose({ type: "thread.item.done", item: { ...base, type: "generated_image", id: "img", image: null } });
              yield loose({ type: "thread.item.done", item: { ...base, type: "workflow", id: "wf", workflow: { type: "custom", tasks: [{ type: "custom", title: null, icon: null, content: null, status_indicator: "complete" }], summary: null, expanded: false } } });
              Object.assign(thread, { title: null, allowed_image_domains: null });
            },
          });
          const stream = await streamEvents(a.url, create("go"));
          assert.deepEqual(stream.events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "progress_update", "notice", "thread.item.added", "thread.item.done", "thread.item.done", "thread.item.done", "thread.item.done", "thread.updated"]);
          assert.doesNotMatch(stream.text, /null/);
          const threadId = createdId(stream.events[0]!);
          const stored = (await a.store.loadThreadItems(threadId, undefined, 10, "asc", ctx)).data;
          assert.doesNotMatch(JSON.stringify(stored), /null/);
          assert.deepEqual(stored.map((item) => item.id).slice(1), ["m", "w", "img", "wf"]);
          for (const item of stored) for (const [key, value] of Object.entries(item)) assert.notEqual(value, null, key);
          const thread = await a.store.loadThread(threadId, ctx);
          assert.equal(thread.title, undefined);
          assert.equal(thread.allowed_image_domains, undefined);
          assert.doesNotMatch(JSON.stringify(thread), /null/);
        });

        describe("an invalid event from respond never reaches the store or the client", () => {
          const cases: Array<[string, (thread: ThreadMetadata) => unknown, RegExp]> = [
            ["an item with string content and no created_at", (thread) => ({ type: "thread.item.done", item: { type: "assistant_message", id: "bad_item", thread_id: thread.id, content: "oops" } }), /item\.created_at/],
            ["an unknown event type", () => ({ type: "thread.item.exploded", item_id: "bad_item" }), /\btype\b/],
            ["a text delta that breaks the text rule (a NUL)", () => ({ type: "thread.item.updated", item_id: "partial", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "bad_item\u0000" } }), /update\.delta: contains U\+0000/],
            ["an update of an unknown item", () => ({ type: "thread.item.updated", item_id: "bad_item", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "x" } }), /bad_item/],
            ["an update that does not fit its item", () => ({ type: "thread.item.updated", item_id: "partial", update: { type: "workflow.task.added", task_index: 0, task: { type: "custom", title: "bad_item" } } }), /workflow\.task\.added.*assistant_message|partial/],
          ];
          for (const [name, bad, field] of cases) {
            it(name, async (t) => {
              const { a } = await setUp(t, {
                async *respond(thread) {
                  yield assistantAdded(thread.id, "partial", "Before the bad event");
                  yield bad(thread) as ThreadStreamEvent;
                  yield { type: "progress_update", text: "never sent" };
                },
              });
              const stream = await streamEvents(a.url, create("go"));
              assert.deepEqual(stream.events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "thread.item.added", "error"]);
              assert.deepEqual(stream.events.at(-1), STREAM_ERROR);
              assert.doesNotMatch(stream.text, /bad_item|never sent/);
              const threadId = createdId(stream.events[0]!);
              assert.match(a.logger.errors.map((entry) => entry.map(String).join(" ")).join("\n"), field);
              // The thread stays readable, with what the user saw and the failure note.
              const reload = await postJson(a.url, getById(threadId));
              assert.equal(reload.status, 200);
              assert.deepEqual((await postJson(a.url, itemsList(threadId))).status, 200);
              assert.deepEqual(await summary(a.store, threadId), ["user: go", "assistant partial: Before the bad event", `note: ${STREAM_FAILED_NOTE}`]);
            });
          }

          it("a done user_message without attachments is stored complete, and the thread stays readable", async (t) => {
            const { a } = await setUp(t, {
              async *respond(thread) {
                yield { type: "thread.item.done", item: { type: "user_message", id: "um", thread_id: thread.id, created_at: now(), content: [{ type: "input_text", text: "hi" }] } as unknown as ThreadItem };
              },
            });
            const stream = await streamEvents(a.url, create("go"));
            const threadId = createdId(stream.events[0]!);
            const reload = await postJson(a.url, getById(threadId));
            assert.equal(reload.status, 200);
            assert.deepEqual(reload.json.items.data[1], { type: "user_message", id: "um", thread_id: threadId, created_at: reload.json.items.data[1].created_at, content: [{ type: "input_text", text: "hi" }], attachments: [], inference_options: {} });
            assert.equal((await postJson(a.url, itemsList(threadId))).status, 200);
          });
        });

        describe("a handler mistake ends its stream with an error event, and the server keeps serving", () => {
          const mistakes: Array<[string, (...args: Parameters<Respond>) => unknown]> = [
            ["respond returns something that is not an async iterable", () => ({ not: "iterable" })],
            ["respond throws synchronously", () => {
              throw new Error("sync throw");
            }],
            ["respond is an async function that throws (a rejected promise)", async () => {
              throw new Error("async throw");
            }],
            ["respond is an async function returning nothing", async () => undefined],
          ];
          for (const [name, respond] of mistakes) {
            it(name, async (t) => {
              const rejections: unknown[] = [];
              const onRejection = (reason: unknown) => rejections.push(reason);
              process.on("unhandledRejection", onRejection);
              t.after(() => process.off("unhandledRejection", onRejection));
              const { a } = await setUp(t, {});
              a.server.respond = respond as unknown as Server["respond"];
              const stream = await streamEvents(a.url, create("go"));
              assert.deepEqual(stream.events.map((event) => event.type), ["thread.created", "thread.item.done", "stream_options", "error"]);
              assert.deepEqual(stream.events.at(-1), STREAM_ERROR);
              await tick(10);
              assert.deepEqual(rejections, []);
              assert.match(String(a.logger.errors[0]?.[0]), /Error while streaming a response/);
              // Still serving, and the thread is readable.
              const threadId = createdId(stream.events[0]!);
              assert.equal((await postJson(a.url, getById(threadId))).status, 200);
              assert.equal((await postJson(a.url, { type: "threads.list", params: {} })).status, 200);
            });
          }
        });

        if (shared) {
          describe("two instances on one database", () => {
            it("a reload on another instance during a cancellation cleanup waits for it", async (t) => {
              const cleanupStarted = deferred();
              const releaseCleanup = deferred();
              const { a, b } = await setUp(t, {
                async *respond(thread, _input, _context, turn) {
                  yield assistantAdded(thread.id, "partial", "Half");
                  yield delta("partial", " an answer");
                  await modelCall(turn);
                },
              }, { twin: true });
              a.server.cleanupGate = async () => {
                cleanupStarted.resolve();
                await releaseCleanup.promise;
              };
              const stream = await EventStream.open(a.url, create("go"));
              const threadId = createdId((await stream.next())!);
              await stream.until(isDelta);
              stream.hangUp();
              await cleanupStarted.promise;
              const log: string[] = [];
              const reloads = Promise.all([postJson(b.url, getById(threadId)), postJson(b.url, itemsList(threadId))]).then((results) => {
                log.push("reloads answered");
                return results;
              });
              await settle();
              log.push("cleanup released");
              releaseCleanup.resolve();
              const [thread, page] = await reloads;
              assert.deepEqual(log, ["cleanup released", "reloads answered"]);
              assert.deepEqual(thread.json.items.data.map((item: ThreadItem) => item.id).slice(1), ["partial"]);
              assert.equal(thread.json.items.data[1].content[0].text, "Half an answer");
              assert.deepEqual(page.json.data.map((item: ThreadItem) => item.type), ["assistant_message", "user_message"]);
            });

            it("a reload on another instance during a normally running turn answers at once with what is stored", async (t) => {
              const finish = deferred();
              const { a, b } = await setUp(t, {
                async *respond(thread) {
                  yield assistantAdded(thread.id, "growing", "Part");
                  await finish.promise;
                },
              }, { twin: true });
              const stream = await EventStream.open(a.url, create("go"));
              const threadId = createdId((await stream.next())!);
              await stream.until((event) => event.type === "thread.item.added");
              const reload = await postJson(b.url, getById(threadId));
              assert.deepEqual(reload.json.items.data.map((item: ThreadItem) => item.type), ["user_message"]);
              finish.resolve();
              await stream.rest();
            });

            it("a lock session killed mid-turn: the turn stops with an error event, its later writes are refused, the other instance goes on", async (t) => {
              const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
              t.after(() => admin.end());
              const lateWrite = deferred<unknown>();
              let reason: unknown;
              let store!: Store<TestContext>;
              const { a, b } = await setUp(t, {
                async *respond(thread, input, _context, turn) {
                  if (textOf(input) !== "go") return;
                  yield assistantAdded(thread.id, "partial", "Half");
                  yield delta("partial", " an answer");
                  try {
                    await modelCall(turn);
                  } finally {
                    reason = turn.signal.reason;
                    // A handler that writes on its own after the turn was stopped.
                    const late: ThreadItem = { type: "assistant_message", id: "late", thread_id: thread.id, created_at: now(), content: [{ type: "output_text", text: "late", annotations: [] }] };
                    await store.addThreadItem(thread.id, late, ctx).then(() => lateWrite.resolve("stored"), (error: unknown) => lateWrite.resolve(error));
                  }
                },
              }, { twin: true });
              store = a.store;
              const stream = await EventStream.open(a.url, create("go"));
              const threadId = createdId((await stream.next())!);
              await stream.until(isDelta);
              const pid = await advisoryLockHolder(admin, (a.store as PostgresStore<TestContext>).threadLock.key(threadId));
              assert.ok(pid, "the turn holds its thread's advisory lock");
              await admin.query("SELECT pg_terminate_backend($1)", [pid]);
              const events = await stream.rest();
              assert.deepEqual(events.at(-1), STREAM_ERROR);
              assert.match(String(reason), /lock/i);
              const refused = await lateWrite.promise;
              assert.ok(refused instanceof Error, `the late write was ${String(refused)}`);
              assert.match(refused.message, /lock/i);
              assert.match(a.logger.errors.map((entry) => entry.map(String).join(" ")).join("\n"), /lost the lock of thread/i);
              // The other instance takes the thread on; nothing of the stopped turn lands after its loss.
              const next = await streamEvents(b.url, addMessage(threadId, "next"));
              assert.deepEqual(next.events.map((event) => event.type), ["thread.item.done", "stream_options"]);
              assert.deepEqual(await summary(b.store, threadId), ["user: go", "user: next"]);
            });
          });
        }
      });
    }
  });
}
