import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { APICallError, tool, type TextStreamPart, type ToolSet } from "ai";
import { z } from "zod";
import { streamTextResponse } from "../../src/ai/index.js";
import type { ThreadItem, ThreadStreamEvent } from "../../src/index.js";
import { Card, Text } from "../../src/widgets/index.js";
import {
  added,
  annotationAdded,
  assistant,
  collect,
  collectUntilError,
  ctx,
  delta,
  done,
  message,
  partAdded,
  partDone,
  runSteps,
  strip,
  task,
  taskAdded,
  taskUpdated,
  TestStore,
  thought,
  thread,
  workflow,
  zeroDurations,
} from "./helpers.js";
import { documentSource, file, finish, reasoning, step, text, toolCall, urlSource, type Chunk } from "./mock-model.js";

const weather = tool({
  description: "Current weather for a city.",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temperatureC: 21 }),
});
/** A client tool: no `execute`, the ChatKit client runs it. */
const getSelection = tool({ description: "The user's selection.", inputSchema: z.object({}) });

const run = async (...args: Parameters<typeof runSteps>) => {
  const { events, ...rest } = runSteps(...args);
  return { events: zeroDurations(strip(await collect(events))), ...rest };
};

/** Parts fed to `streamTextResponse` directly, for what a scripted model cannot express. */
async function* parts(list: Array<TextStreamPart<ToolSet> | (() => void)>): AsyncGenerator<TextStreamPart<ToolSet>> {
  for (const part of list) {
    if (typeof part === "function") part();
    else yield part;
  }
}
const finishStep = { type: "finish-step" } as unknown as TextStreamPart<ToolSet>;

describe("text", () => {
  test("one assistant message per text block; its deltas concatenate to the model's text exactly", async () => {
    const deltas = ["Hel", "lo", ", wor", "ld — ", "ünïcode ✓", "\n"];
    const { events, result } = await run([step(text("t1", ...deltas))]);
    assert.deepEqual(events, message("message_1", ...deltas));
    const streamed = events
      .filter((e) => e.type === "thread.item.updated" && e.update.type === "assistant_message.content_part.text_delta")
      .map((e) => (e as { update: { delta: string } }).update.delta)
      .join("");
    assert.equal(streamed, await result.text);
    assert.equal(streamed, deltas.join(""));
  });

  test("each block is its own message; empty blocks and empty deltas show nothing", async () => {
    const { events } = await run([step(text("t0"), text("t1", "A", "", "B"), text("t2", ""), text("t3", "C"))]);
    assert.deepEqual(events, [...message("message_1", "A", "B"), ...message("message_2", "C")]);
  });

  test("text across steps of a multi-step run streams in one turn", async () => {
    const { events, model } = await run(
      [step(text("t1", "Let me check."), toolCall("c1", "weather", { city: "Paris" })), step(text("t1", "Sunny", " in Paris."))],
      { tools: { weather } },
    );
    assert.equal(model.doStreamCalls.length, 2);
    assert.deepEqual(events, [
      ...message("message_1", "Let me check."),
      added(workflow("workflow_2", "custom", [task("weather", "loading")])),
      taskUpdated("workflow_2", task("weather", "complete"), 0),
      done(workflow("workflow_2", "custom", [task("weather", "complete")], { duration: 0 })),
      ...message("message_3", "Sunny", " in Paris."),
    ]);
  });
});

describe("the stream it reads", () => {
  test("`stream` (AI SDK 7) when the result has one, else `fullStream`", async () => {
    const block = (value: string): TextStreamPart<ToolSet>[] => [
      { type: "text-start", id: "t" },
      { type: "text-delta", id: "t", text: value },
      { type: "text-end", id: "t" },
    ];
    const read = async (source: Parameters<typeof streamTextResponse>[1]) =>
      strip(await collect(streamTextResponse(thread, source, { store: new TestStore(), context: ctx }))).at(-1);
    assert.deepEqual(await read({ stream: parts(block("new")), fullStream: parts(block("old")) }), done(assistant("message_1", "new")));
    assert.deepEqual(await read({ fullStream: parts(block("old")) }), done(assistant("message_1", "old")));
  });
});

describe("reasoning", () => {
  test("a reasoning workflow of streamed thoughts, ended before the answer", async () => {
    const { events } = await run([step(reasoning("r1", "Think", "ing"), reasoning("r2", "More"), reasoning("r3"), text("t1", "Answer"))]);
    assert.deepEqual(events, [
      added(workflow("workflow_1", "reasoning", [])),
      taskAdded("workflow_1", thought("Think"), 0),
      taskUpdated("workflow_1", thought("Thinking"), 0),
      taskAdded("workflow_1", thought("More"), 1),
      done(workflow("workflow_1", "reasoning", [thought("Thinking"), thought("More")], { duration: 0 })),
      ...message("message_2", "Answer"),
    ]);
  });

  test("the workflow's summary is its duration in whole seconds, and it is collapsed", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: Date.parse("2025-01-01T00:00:00.000Z") });
    const store = new TestStore();
    const events = await collect(
      streamTextResponse(
        thread,
        {
          fullStream: parts([
            { type: "reasoning-start", id: "r" },
            { type: "reasoning-delta", id: "r", text: "Hmm" },
            () => t.mock.timers.tick(2_900),
            { type: "reasoning-end", id: "r" },
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", text: "Yes" },
            { type: "text-end", id: "t" },
          ]),
        },
        { store, context: ctx },
      ),
    );
    const ended = events.find((e) => e.type === "thread.item.done" && e.item.type === "workflow");
    assert.ok(ended?.type === "thread.item.done" && ended.item.type === "workflow");
    assert.deepEqual(ended.item.workflow.summary, { duration: 2 });
    assert.equal(ended.item.workflow.expanded, false);
  });

  test("a run that ends while reasoning ends the workflow", async () => {
    const { events } = await run([step(reasoning("r1", "Only thinking"))]);
    assert.deepEqual(events, [
      added(workflow("workflow_1", "reasoning", [])),
      taskAdded("workflow_1", thought("Only thinking"), 0),
      done(workflow("workflow_1", "reasoning", [thought("Only thinking")], { duration: 0 })),
    ]);
  });

  test("collected events are snapshots: later changes to the workflow do not show in them", async () => {
    const { events } = runSteps([step(reasoning("r1", "A", "B"), text("t", "x"))]);
    const collected = await collect(events);
    const first = collected[0];
    assert.ok(first?.type === "thread.item.added" && first.item.type === "workflow");
    assert.deepEqual(first.item.workflow.tasks, []);
    const firstTask = collected[1];
    assert.ok(firstTask?.type === "thread.item.updated" && firstTask.update.type === "workflow.task.added");
    assert.deepEqual(firstTask.update.task, thought("A"));
  });
});

describe("tools", () => {
  test("reasoning, a server tool and more reasoning share one workflow across steps", async () => {
    const { events } = await run(
      [step(reasoning("r", "Plan"), toolCall("c1", "weather", { city: "Paris" })), step(reasoning("r", "Check"), text("t", "Sunny"))],
      { tools: { weather } },
    );
    const tasks = [thought("Plan"), task("weather", "complete"), thought("Check")];
    assert.deepEqual(events, [
      added(workflow("workflow_1", "reasoning", [])),
      taskAdded("workflow_1", thought("Plan"), 0),
      taskAdded("workflow_1", task("weather", "loading"), 1),
      taskUpdated("workflow_1", task("weather", "complete"), 1),
      taskAdded("workflow_1", thought("Check"), 2),
      done(workflow("workflow_1", "reasoning", tasks, { duration: 0 })),
      ...message("message_2", "Sunny"),
    ]);
  });

  test("toolTask: false shows no tool calls", async () => {
    const { events } = await run([step(toolCall("c1", "weather", { city: "Paris" })), step(text("t", "Sunny"))], {
      tools: { weather },
      bridge: { toolTask: false },
    });
    assert.deepEqual(events, message("message_1", "Sunny"));
  });

  test("toolTask gives the task of a call (its status is managed), or null to hide it", async () => {
    const calls: unknown[] = [];
    const { events } = await run(
      [step(toolCall("c1", "weather", { city: "Paris" }), toolCall("c2", "weather", { city: "Hidden" })), step(text("t", "Sunny"))],
      {
        tools: { weather },
        bridge: {
          toolTask: (call) => {
            calls.push(strip({ ...call }));
            const { city } = call.input as { city: string };
            return city === "Hidden" ? null : { type: "custom", title: `Weather in ${city}`, icon: "globe" };
          },
        },
      },
    );
    const custom = (status: string) => ({ type: "custom", title: "Weather in Paris", icon: "globe", status_indicator: status });
    assert.deepEqual(events, [
      added(workflow("workflow_1", "custom", [custom("loading")])),
      taskUpdated("workflow_1", custom("complete"), 0),
      done(workflow("workflow_1", "custom", [custom("complete")], { duration: 0 })),
      ...message("message_2", "Sunny"),
    ]);
    assert.deepEqual(
      calls.map((call) => (call as { toolName: string; input: unknown }).input),
      [{ city: "Paris" }, { city: "Hidden" }],
    );
  });

  test("a failing tool's task ends without a check mark; the model sees the error and answers", async () => {
    const failing = tool({
      inputSchema: z.object({}),
      execute: async (): Promise<string> => {
        throw new Error("service down");
      },
    });
    const { events, model } = await run([step(toolCall("c1", "lookup", {})), step(text("t", "Sorry."))], { tools: { lookup: failing } });
    assert.deepEqual(events, [
      added(workflow("workflow_1", "custom", [task("lookup", "loading")])),
      taskUpdated("workflow_1", task("lookup", "none"), 0),
      done(workflow("workflow_1", "custom", [task("lookup", "none")], { duration: 0 })),
      ...message("message_2", "Sorry."),
    ]);
    assert.match(JSON.stringify(model.prompt(1).at(-1)), /service down/);
  });

  test("toolWidget shows a widget for a tool's result once its step has finished", async () => {
    const seen: unknown[] = [];
    const { events } = await run([step(toolCall("c1", "weather", { city: "Paris" })), step(text("t", "Sunny"))], {
      tools: { weather },
      bridge: {
        toolWidget: (result) => {
          seen.push({ name: result.toolName, output: result.output });
          const { city, temperatureC } = result.output as { city: string; temperatureC: number };
          return Card({ children: [Text({ value: `${city}: ${temperatureC} °C` })] });
        },
      },
    });
    assert.deepEqual(seen, [{ name: "weather", output: { city: "Paris", temperatureC: 21 } }]);
    assert.deepEqual(events, [
      added(workflow("workflow_1", "custom", [task("weather", "loading")])),
      taskUpdated("workflow_1", task("weather", "complete"), 0),
      done(workflow("workflow_1", "custom", [task("weather", "complete")], { duration: 0 })),
      done({ type: "widget", id: "message_2", thread_id: thread.id, widget: { type: "Card", children: [{ type: "Text", value: "Paris: 21 °C" }] } }),
      ...message("message_3", "Sunny"),
    ]);
  });
});

describe("client tools", () => {
  test("a tool without execute ends the turn with a pending client_tool_call; its workflow is kept open in the store", async () => {
    const { events, model, store } = await run([step(text("t", "Let me look."), toolCall("call_1", "get_selection", {}))], {
      tools: { weather, get_selection: getSelection },
    });
    assert.equal(model.doStreamCalls.length, 1);
    assert.deepEqual(events, [
      ...message("message_1", "Let me look."),
      added(workflow("workflow_2", "custom", [task("get_selection", "loading")])),
      done({ type: "client_tool_call", id: "tool_call_3", thread_id: thread.id, status: "pending", call_id: "call_1", name: "get_selection", arguments: {} }),
    ]);
    // No done event for the workflow: the client keeps it open, and the store has it for the next turn.
    assert.deepEqual(strip(await store.items()), [workflow("workflow_2", "custom", [task("get_selection", "loading")])]);
  });

  test("the turn after the client's output continues that workflow: the client's task completes", async () => {
    const now = new Date().toISOString();
    const paused = { ...workflow("workflow_0", "custom", [task("get_selection", "loading")]), created_at: now } as ThreadItem;
    const answered: ThreadItem = {
      type: "client_tool_call",
      id: "tool_call_0",
      thread_id: thread.id,
      created_at: now,
      status: "completed",
      call_id: "call_1",
      name: "get_selection",
      arguments: {},
      output: { nodes: ["a"] },
    };
    const { events } = await run([step(reasoning("r", "Got it"), text("t", "You selected a."))], { store: new TestStore([paused, answered]) });
    assert.deepEqual(events, [
      taskUpdated("workflow_0", task("get_selection", "complete"), 0),
      taskAdded("workflow_0", thought("Got it"), 1),
      done(workflow("workflow_0", "custom", [task("get_selection", "complete"), thought("Got it")], { duration: 0 })),
      ...message("message_1", "You selected a."),
    ]);
  });

  test("only a paused workflow is continued: not an ended one, nor one before other items", async () => {
    const now = new Date().toISOString();
    const ended = { ...workflow("workflow_0", "reasoning", [thought("old")], { duration: 1 }), created_at: now } as ThreadItem;
    const open = { ...workflow("workflow_0", "reasoning", [thought("old")]), created_at: now } as ThreadItem;
    const reply = { ...assistant("message_0", "hi"), created_at: now } as ThreadItem;
    for (const items of [[ended], [open, reply]]) {
      const { events } = await run([step(reasoning("r", "New"))], { store: new TestStore(items) });
      assert.equal((events[0] as { item: { id: string } }).item.id, "workflow_1", JSON.stringify(items.map((i) => i.type)));
    }
  });

  test("a tool call waiting for approval is not a client tool call", async () => {
    const guarded = tool({ inputSchema: z.object({}), needsApproval: true, execute: async () => "ok" });
    const { events } = await run([step(toolCall("c1", "guarded", {}))], { tools: { guarded }, bridge: { toolTask: false } });
    assert.deepEqual(events, []);
  });
});

describe("sources", () => {
  test("a source cites the message being written at the current end of its text; one after the text ends, at its end", async () => {
    const chunks: Chunk[] = [
      { type: "text-start", id: "t" },
      { type: "text-delta", id: "t", delta: "Paris" },
      urlSource("s1", "https://example.com/paris", "Paris"),
      urlSource("s1", "https://example.com/paris", "Paris"), // the same citation again
      { type: "text-delta", id: "t", delta: " is big." },
      { type: "text-end", id: "t" },
      documentSource("s2", "Atlas", "atlas.pdf"),
      finish(),
    ];
    const url = { type: "annotation", source: { type: "url", url: "https://example.com/paris", title: "Paris" }, index: 5 };
    const doc = { type: "annotation", source: { type: "file", filename: "atlas.pdf", title: "Atlas" }, index: 13 };
    const { events } = await run([chunks]);
    assert.deepEqual(events, [
      added(assistant("message_1")),
      partAdded("message_1"),
      delta("message_1", "Paris"),
      annotationAdded("message_1", 0, url),
      delta("message_1", " is big."),
      partDone("message_1", "Paris is big.", [url]),
      annotationAdded("message_1", 1, doc),
      done(assistant("message_1", "Paris is big.", [url, doc])),
    ]);
  });

  test("sources that come before any text go to the next message, without a position", async () => {
    const { events } = await run([step(urlSource("s1", "https://example.com"), text("t", "Found it."))]);
    const cited = { type: "annotation", source: { type: "url", url: "https://example.com", title: "https://example.com" } };
    assert.deepEqual(events, [
      added(assistant("message_1")),
      partAdded("message_1"),
      annotationAdded("message_1", 0, cited),
      delta("message_1", "Found it."),
      partDone("message_1", "Found it.", [cited]),
      done(assistant("message_1", "Found it.", [cited])),
    ]);
  });

  test("convertSource converts a source, or drops it with null", async () => {
    const { events } = await run([step({ type: "text-start", id: "t" }, { type: "text-delta", id: "t", delta: "x" }, urlSource("s1", "https://keep.example"), urlSource("s2", "https://drop.example"), { type: "text-end", id: "t" })], {
      bridge: {
        convertSource: (source) =>
          source.sourceType === "url" && source.url.includes("keep") ? { type: "entity", id: source.id, title: "Kept", interactive: false, data: {} } : null,
      },
    });
    const kept = { type: "annotation", source: { type: "entity", id: "s1", title: "Kept", interactive: false, data: {} }, index: 1 };
    assert.deepEqual(events.at(-1), done(assistant("message_1", "x", [kept])));
  });

  test("citations that come with the end of a text block (AI SDK 7) are annotations at their end index", async () => {
    const store = new TestStore();
    const events = strip(
      await collect(
        streamTextResponse(
          thread,
          {
            fullStream: parts([
              { type: "text-start", id: "t" },
              { type: "text-delta", id: "t", text: "Paris is big." },
              {
                type: "text-end",
                id: "t",
                citations: [{ source: { type: "source", sourceType: "url", id: "s", url: "https://example.com", title: "Ex" }, startIndex: 0, endIndex: 5 }],
              } as TextStreamPart<ToolSet>,
              finishStep,
            ]),
          },
          { store, context: ctx },
        ),
      ),
    );
    const cited = { type: "annotation", source: { type: "url", url: "https://example.com", title: "Ex" }, index: 5 };
    assert.deepEqual(events.slice(3), [
      annotationAdded("message_1", 0, cited),
      partDone("message_1", "Paris is big.", [cited]),
      done(assistant("message_1", "Paris is big.", [cited])),
    ]);
  });
});

describe("generated files", () => {
  const png = "iVBORw0KGgoAAAANSUhEUg==";

  test("an image is a generated_image item (a data URL by default) and ends the open workflow", async () => {
    const { events } = await run([step(reasoning("r", "Drawing"), file("image/png", png), file("application/pdf", "JVBERi0="), text("t", "Here."))]);
    const image = { type: "generated_image", id: "message_2", thread_id: thread.id };
    assert.deepEqual(events, [
      added(workflow("workflow_1", "reasoning", [])),
      taskAdded("workflow_1", thought("Drawing"), 0),
      done(workflow("workflow_1", "reasoning", [thought("Drawing")], { duration: 0 })),
      added(image),
      done({ ...image, image: { id: "message_2", url: `data:image/png;base64,${png}` } }),
      ...message("message_3", "Here."),
    ]);
  });

  test("imageUrl stores the image elsewhere", async () => {
    const uploads: unknown[] = [];
    const { events } = await run([step(file("image/webp", png))], {
      bridge: {
        imageUrl: async (generated, imageId) => {
          uploads.push({ imageId, mediaType: generated.mediaType, base64: generated.base64, bytes: generated.uint8Array.length });
          return `https://cdn.example/${imageId}.webp`;
        },
      },
    });
    assert.deepEqual(uploads, [{ imageId: "message_1", mediaType: "image/webp", base64: png, bytes: 16 }]);
    assert.deepEqual(events.at(-1), done({ type: "generated_image", id: "message_1", thread_id: thread.id, image: { id: "message_1", url: "https://cdn.example/message_1.webp" } }));
  });
});

describe("errors and cancellation", () => {
  test("a provider error part is thrown as is; the message being written is left pending", async () => {
    const overloaded = new APICallError({ message: "Overloaded", url: "https://api.example", requestBodyValues: {}, statusCode: 529, isRetryable: true });
    const { events } = runSteps([
      [{ type: "text-start", id: "t" }, { type: "text-delta", id: "t", delta: "Hel" }, { type: "error", error: overloaded }, { type: "text-delta", id: "t", delta: "lo" }, { type: "text-end", id: "t" }, finish("error")],
    ]);
    const { events: seen, error } = await collectUntilError(events);
    assert.equal(error, overloaded);
    assert.deepEqual(strip(seen), [added(assistant("message_1")), partAdded("message_1"), delta("message_1", "Hel")]);
  });

  test("a stream that fails (a dropped connection) throws its error", async () => {
    const dropped = new TypeError("terminated");
    const { events } = runSteps([{ chunks: step(text("t", "Hel", "lo")), failAt: { at: 2, error: dropped } }]);
    const { events: seen, error } = await collectUntilError(events);
    assert.equal(error, dropped);
    assert.deepEqual(strip(seen), [added(assistant("message_1")), partAdded("message_1"), delta("message_1", "Hel")]);
  });

  test("aborting the model call (abortSignal) stops the provider stream and throws an AbortError", async () => {
    const controller = new AbortController();
    const { events, model } = runSteps([{ chunks: step(text("t", "Hel", "lo")), hangAt: 2 }], { abortSignal: controller.signal });
    const iterator = events[Symbol.asyncIterator]();
    const seen: ThreadStreamEvent[] = [];
    for (let i = 0; i < 3; i++) seen.push((await iterator.next()).value as ThreadStreamEvent);
    const pending = iterator.next();
    await model.hung;
    controller.abort();
    await assert.rejects(pending, (error: Error) => error.name === "AbortError");
    assert.equal(model.doStreamCalls[0]!.abortSignal?.aborted, true, "the provider request saw the abort");
    assert.deepEqual(strip(seen), [added(assistant("message_1")), partAdded("message_1"), delta("message_1", "Hel")]);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  test("the signal option wakes the response at once, even when the model call ignores it; it throws the signal's reason", async () => {
    const controller = new AbortController();
    const { events, model } = runSteps([{ chunks: step(text("t", "Hel", "lo")), hangAt: 2 }], { bridge: { signal: controller.signal } });
    const iterator = events[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    const pending = iterator.next();
    await model.hung;
    const reason = new DOMException("Stopped by the user", "AbortError");
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.equal(model.doStreamCalls[0]!.abortSignal?.aborted ?? false, false, "the model call was not given a signal");
  });

  test("an already aborted signal throws before reading anything", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    const { events, model } = runSteps([step(text("t", "x"))], { bridge: { signal: controller.signal } });
    await assert.rejects(collect(events), /gone/);
    assert.equal(model.doStreamCalls.length, 0);
  });

  test("return() while a read is pending takes effect at once: the read is cancelled and resolves done", async () => {
    const cancelled = mock.fn();
    const fullStream = new ReadableStream<TextStreamPart<ToolSet>>({
      start(controller) {
        controller.enqueue({ type: "text-start", id: "t" });
        controller.enqueue({ type: "text-delta", id: "t", text: "a" });
      },
      cancel: cancelled, // then nothing more: a model that went quiet
    });
    const stream = streamTextResponse(thread, { fullStream }, { store: new TestStore(), context: ctx });
    for (let i = 0; i < 3; i++) assert.equal((await stream.next()).done, false);
    const pending = stream.next();
    assert.deepEqual(await stream.return(), { done: true, value: undefined });
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(cancelled.mock.callCount(), 1);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
  });

  test("after an error nothing more comes out, and the model stream is released", async () => {
    const cancelled = mock.fn();
    const boom = new Error("boom");
    const fullStream = new ReadableStream<TextStreamPart<ToolSet>>({
      start(controller) {
        controller.enqueue({ type: "error", error: boom });
        controller.enqueue({ type: "text-start", id: "t" });
      },
      cancel: cancelled,
    });
    const stream = streamTextResponse(thread, { fullStream }, { store: new TestStore(), context: ctx });
    await assert.rejects(stream.next(), (error) => error === boom);
    assert.deepEqual(await stream.next(), { done: true, value: undefined });
    assert.equal(cancelled.mock.callCount(), 1);
  });

  test("stopping early (return) releases the model stream at once", async () => {
    const released = mock.fn();
    async function* source(): AsyncGenerator<TextStreamPart<ToolSet>> {
      try {
        yield { type: "text-start", id: "t" };
        yield { type: "text-delta", id: "t", text: "a" };
        yield { type: "text-delta", id: "t", text: "b" };
      } finally {
        released();
      }
    }
    const stream = streamTextResponse(thread, { fullStream: source() }, { store: new TestStore(), context: ctx });
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === "thread.item.updated" && event.update.type === "assistant_message.content_part.text_delta") break;
    }
    assert.deepEqual(seen, ["thread.item.added", "thread.item.updated", "thread.item.updated"]);
    assert.equal(released.mock.callCount(), 1);
  });
});
