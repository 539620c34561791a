/**
 * What every runtime must do with the root entry: a ChatKitServer with an InMemoryStore behind
 * `toFetchHandler`, driven with real `Request`s — a turn streamed and checked event by event,
 * then a Stop mid-stream, whose partial answer and hidden note the next turn sees.
 *
 * It runs unchanged on Node, Bun, Deno and workerd, so it uses nothing but the package it is
 * given and Web-standard globals (no `node:` module, no assert library), and imports only types.
 * It throws on the first mismatch; resolves with the names of the checks that passed.
 */
import type * as ChatKit from "../../src/index.js";
import type { ThreadItem, ThreadMetadata, ThreadStreamEvent, Turn, UserMessageItem } from "../../src/index.js";

type Context = { userId: string };

const TIME = "<created_at>";

/** The hidden note a cancelled turn leaves for the model. */
const CANCELLED_NOTE = "The user cancelled the stream. Stop responding to the prior request.";

/** JSON with sorted keys and every ISO `created_at` replaced, so equal values print equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, field: unknown) => {
    if (key === "created_at" && typeof field === "string" && !Number.isNaN(Date.parse(field))) return TIME;
    if (field && typeof field === "object" && !Array.isArray(field)) {
      return Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return field;
  });
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (canonical(actual) === canonical(expected)) return;
  // Lists differ at one element, usually: name it rather than print both lists whole.
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const at = expected.findIndex((value, index) => canonical(value) !== canonical(actual[index]));
    const index = at === -1 ? expected.length : at;
    throw new Error(`${what}, at [${index}] of ${actual.length} (expected ${expected.length}):\n  expected ${canonical(expected[index])}\n  actual   ${canonical(actual[index])}`);
  }
  throw new Error(`${what}:\n  expected ${canonical(expected)}\n  actual   ${canonical(actual)}`);
}

const decoder = new TextDecoder();

/** The JSON of each `data:` frame of SSE text; anything else in the stream is an error. */
function parseFrames(text: string): ThreadStreamEvent[] {
  if (!text.endsWith("\n\n")) throw new Error(`the stream does not end with a complete frame: ${JSON.stringify(text.slice(-80))}`);
  return text
    .slice(0, -2)
    .split("\n\n")
    .map((frame) => {
      if (!frame.startsWith("data: ")) throw new Error(`not an SSE data frame: ${JSON.stringify(frame)}`);
      return JSON.parse(frame.slice("data: ".length)) as ThreadStreamEvent;
    });
}

const userInput = (text: string) => ({ content: [{ type: "input_text", text }], attachments: [], inference_options: {} });

const userItem = (id: string, threadId: string, text: string) => ({
  type: "user_message",
  id,
  thread_id: threadId,
  created_at: TIME,
  content: [{ type: "input_text", text }],
  attachments: [],
  inference_options: {},
});

const assistantItem = (id: string, threadId: string, text: string | undefined) => ({
  type: "assistant_message",
  id,
  thread_id: threadId,
  created_at: TIME,
  content: text === undefined ? [] : [{ type: "output_text", text, annotations: [] }],
});

/** The events `respond` streams for one message, as the client must receive them. */
function assistantEvents(id: string, threadId: string, deltas: string[]): unknown[] {
  const text = deltas.join("");
  return [
    { type: "thread.item.added", item: assistantItem(id, threadId, undefined) },
    {
      type: "thread.item.updated",
      item_id: id,
      update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } },
    },
    ...deltas.map((delta) => ({
      type: "thread.item.updated",
      item_id: id,
      update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta },
    })),
    {
      type: "thread.item.updated",
      item_id: id,
      update: { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text, annotations: [] } },
    },
    { type: "thread.item.done", item: assistantItem(id, threadId, text) },
  ];
}

export async function scenario(chatkit: typeof ChatKit): Promise<string[]> {
  const passed: string[] = [];
  const check = (name: string) => passed.push(name);

  /** Numbered ids, so every event can be compared whole. */
  class NumberedStore extends chatkit.InMemoryStore<Context> {
    #next = 0;
    override generateThreadId(): string {
      return `thr_${++this.#next}`;
    }
    override generateItemId(itemType: string): string {
      return `${itemType === "sdk_hidden_context" ? "shcx" : "msg"}_${++this.#next}`;
    }
  }

  /** What each turn's `respond` saw in the thread: what a model would be given. */
  const modelInputs: string[][] = [];

  class Server extends chatkit.ChatKitServer<Context> {
    async *respond(thread: ThreadMetadata, input: UserMessageItem | null, context: Context, turn: Turn): AsyncIterable<ThreadStreamEvent> {
      const history = await this.store.loadThreadItems(thread.id, undefined, 100, "asc", context);
      modelInputs.push(history.data.map(describe));
      const text = input?.content[0]?.type === "input_text" ? input.content[0].text : "";
      const id = this.store.generateItemId("message", thread, context);
      const item = { type: "assistant_message" as const, id, thread_id: thread.id, created_at: new Date().toISOString(), content: [] };
      yield { type: "thread.item.added", item };
      yield {
        type: "thread.item.updated",
        item_id: id,
        update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } },
      };
      const deltas = text === "stop me" ? ["w0 ", "w1 ", "w2 "] : ["Hel", "lo ", text];
      for (const delta of deltas) {
        yield { type: "thread.item.updated", item_id: id, update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta } };
      }
      if (text === "stop me") {
        // Streams nothing more until the client stops it.
        await new Promise<void>((resolve) => {
          if (turn.signal.aborted) resolve();
          else turn.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return;
      }
      const part = { type: "output_text" as const, text: deltas.join(""), annotations: [] };
      yield { type: "thread.item.updated", item_id: id, update: { type: "assistant_message.content_part.done", content_index: 0, content: part } };
      yield { type: "thread.item.done", item: { ...item, content: [part] } };
    }
  }

  const describe = (item: ThreadItem) =>
    item.type === "sdk_hidden_context"
      ? `${item.type}: ${item.content}`
      : item.type === "user_message" || item.type === "assistant_message"
        ? `${item.type}: ${item.content.map((part) => part.text).join("")}`
        : item.type;

  const context: Context = { userId: "ada" };
  const store = new NumberedStore();
  const server = new Server({ store, logger: { error: (...args) => console.error(...args), warn: () => {} } });
  const handler = chatkit.toFetchHandler(server, { context: () => context });

  const post = (body: unknown, signal?: AbortSignal) =>
    handler(
      new Request("http://localhost/chatkit", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
    );

  async function streamed(response: Response): Promise<ThreadStreamEvent[]> {
    expectEqual([response.status, response.headers.get("content-type")], [200, "text/event-stream; charset=utf-8"], "streaming response status and type");
    return parseFrames(await response.text());
  }

  // 1. A new thread, streamed whole.
  const created = await streamed(await post({ type: "threads.create", params: { input: userInput("hello") } }));
  expectEqual(
    created,
    [
      {
        type: "thread.created",
        thread: { id: "thr_1", created_at: TIME, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } },
      },
      { type: "thread.item.done", item: userItem("msg_2", "thr_1", "hello") },
      { type: "stream_options", stream_options: { allow_cancel: true } },
      ...assistantEvents("msg_3", "thr_1", ["Hel", "lo ", "hello"]),
    ],
    "threads.create events",
  );
  check("threads.create streams the exact events");

  /**
   * Sends "stop me" and stops the stream after its third delta, the way a runtime's HTTP server
   * does when the client hangs up: by cancelling the response body, or by aborting the request's
   * signal. Returns the events received, which must be all there is.
   */
  async function stopAfterThirdDelta(how: "cancel the body" | "abort the request"): Promise<ThreadStreamEvent[]> {
    const controller = new AbortController();
    const body = { type: "threads.add_user_message", params: { thread_id: "thr_1", input: userInput("stop me") } };
    const response = await post(body, controller.signal);
    expectEqual([response.status, response.headers.get("content-type")], [200, "text/event-stream; charset=utf-8"], "stopped response status and type");
    const reader = response.body!.getReader();
    let text = "";
    while ((text.match(/content_part\.text_delta"/g) ?? []).length < 3) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the stream ended before the Stop: ${text}`);
      text += decoder.decode(chunk.value, { stream: true });
    }
    if (how === "cancel the body") {
      // Resolves once the cancellation has run (the partial answer and the note are stored).
      await reader.cancel();
    } else {
      controller.abort();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    }
    return parseFrames(text);
  }

  const stoppedEvents = (userId: string, assistantId: string) => [
    { type: "thread.item.done", item: userItem(userId, "thr_1", "stop me") },
    { type: "stream_options", stream_options: { allow_cancel: true } },
    ...assistantEvents(assistantId, "thr_1", ["w0 ", "w1 ", "w2 "]).slice(0, 5),
  ];

  // 2. Stop by cancelling the body; the partial answer and the note are stored.
  expectEqual(await stopAfterThirdDelta("cancel the body"), stoppedEvents("msg_4", "msg_5"), "events of the stream stopped by cancelling its body");
  check("a Stop that cancels the body ends the stream after the events already sent");

  const stored = await store.loadThreadItems("thr_1", undefined, 100, "asc", context);
  expectEqual(
    stored.data,
    [
      userItem("msg_2", "thr_1", "hello"),
      assistantItem("msg_3", "thr_1", "Hello hello"),
      userItem("msg_4", "thr_1", "stop me"),
      assistantItem("msg_5", "thr_1", "w0 w1 w2 "),
      { type: "sdk_hidden_context", id: "shcx_6", thread_id: "thr_1", created_at: TIME, content: CANCELLED_NOTE },
    ],
    "stored items after the Stop",
  );
  check("the Stop stores the partial answer and the cancel note");

  // 3. The client's view leaves the hidden note out.
  const listed = await post({ type: "items.list", params: { thread_id: "thr_1", order: "asc" } });
  expectEqual([listed.status, listed.headers.get("content-type")], [200, "application/json; charset=utf-8"], "items.list status and type");
  expectEqual(
    ((await listed.json()) as { data: ThreadItem[] }).data.map((item) => item.id),
    ["msg_2", "msg_3", "msg_4", "msg_5"],
    "items.list ids",
  );
  check("items.list hides the cancel note from the client");

  // 4. Stop by aborting the request's signal.
  expectEqual(await stopAfterThirdDelta("abort the request"), stoppedEvents("msg_7", "msg_8"), "events of the stream stopped by aborting its request");
  check("a Stop that aborts the request ends the stream after the events already sent");

  // 5. The next turn waits for the cleanup, and its model input has both partial answers and notes.
  const next = await streamed(await post({ type: "threads.add_user_message", params: { thread_id: "thr_1", input: userInput("again") } }));
  expectEqual(
    next,
    [
      { type: "thread.item.done", item: userItem("msg_10", "thr_1", "again") },
      { type: "stream_options", stream_options: { allow_cancel: true } },
      ...assistantEvents("msg_11", "thr_1", ["Hel", "lo ", "again"]),
    ],
    "the turn after the Stops",
  );
  expectEqual(
    modelInputs.at(-1),
    [
      "user_message: hello",
      "assistant_message: Hello hello",
      "user_message: stop me",
      "assistant_message: w0 w1 w2 ",
      `sdk_hidden_context: ${CANCELLED_NOTE}`,
      "user_message: stop me",
      "assistant_message: w0 w1 w2 ",
      `sdk_hidden_context: ${CANCELLED_NOTE}`,
      "user_message: again",
    ],
    "the next turn's model input",
  );
  check("the next turn's respond sees both partial answers and cancel notes");

  return passed;
}
