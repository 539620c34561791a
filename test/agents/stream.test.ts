import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered } from "@openai/agents";
import { ResponseStreamConverter, streamAgentResponse, type FileCitation, type UrlCitation } from "../../src/agents/index.js";
import type { Annotation, ThreadItem, ThreadStreamEvent, WidgetRoot, WorkflowItem } from "../../src/index.js";
import { Card, Text } from "../../src/widgets/components.js";
import {
  annotationAdded,
  containerCitation,
  fileCitation,
  iterableRun,
  messageAdded,
  messageDone,
  outputText,
  partAdded,
  reasoningAdded,
  responsesEvent,
  ScriptedRun,
  summaryDelta,
  summaryDone,
  textDelta,
  textDone,
  toolCalled,
  urlCitation,
  type ResponsesEvent,
} from "./fake-model.js";
import {
  assistantItem,
  collect,
  collectUntilError,
  fileAnnotation,
  flush,
  makeContext,
  strip,
  thought,
  thread,
  updated,
  urlAnnotation,
} from "./helpers.js";

/** Streams `events` as raw Responses events through a fresh context; returns the ChatKit events. */
async function mapRaw(events: ResponsesEvent[], setup: Parameters<typeof makeContext>[0] = undefined, converter?: ResponseStreamConverter) {
  const { context, store } = makeContext(setup);
  const run = iterableRun(events.map(responsesEvent));
  const out = await collect(streamAgentResponse(context, run, converter ? { converter } : {}));
  return { events: out, context, store };
}

const widgetItem = (id: string, widget: WidgetRoot): ThreadItem => ({
  type: "widget",
  id,
  thread_id: thread.id,
  created_at: new Date().toISOString(),
  widget,
});
const hostedCall = { type: "hosted_tool_call", name: "web_search_call", id: "ws_1", status: "completed" } as const;
const fnCall = (id: string, callId: string) =>
  ({ type: "function_call", id, callId, name: "get_selection", arguments: "{}", status: "completed" }) as const;
const tripwire = (kind: "input" | "output") =>
  kind === "input"
    ? new InputGuardrailTripwireTriggered("blocked", {
        guardrail: { type: "input", name: "g" },
        output: { tripwireTriggered: true, outputInfo: null },
      } as never)
    : new OutputGuardrailTripwireTriggered("blocked", {
        guardrail: { type: "output", name: "g" },
        output: { tripwireTriggered: true, outputInfo: null },
      } as never);

describe("side channel and widgets", () => {
  test("1. a widget streamed before the run gives one done widget item", async () => {
    const { context } = makeContext();
    const card = Card({ children: [Text({ value: "Hello, world!" })] });
    await context.streamWidget(card);
    const events = await collect(streamAgentResponse(context, iterableRun([toolCalled(hostedCall)])));
    assert.deepEqual(strip(events), [
      { type: "thread.item.done", item: strip(widgetItem("message_id", card)) },
    ]);
  });

  test("2. a widget sequence gives added, a text delta, then done", async () => {
    const { context } = makeContext();
    async function* frames() {
      yield Card({ children: [Text({ id: "text", value: "" })] });
      yield Card({ children: [Text({ id: "text", value: "Hello, world" })] });
    }
    await context.streamWidget(frames());
    const events = await collect(streamAgentResponse(context, iterableRun([])));
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: strip(widgetItem("message_id", Card({ children: [Text({ id: "text", value: "" })] }))) },
      updated("message_id", { type: "widget.streaming_text.value_delta", component_id: "text", delta: "Hello, world", done: true }),
      { type: "thread.item.done", item: strip(widgetItem("message_id", Card({ children: [Text({ id: "text", value: "Hello, world" })] }))) },
    ]);
  });

  test("3. a widget sequence that changes shape gives a root update", async () => {
    const { context } = makeContext();
    const second = { type: "Text", key: "other text", value: "World!", streaming: false } as unknown as WidgetRoot;
    async function* frames() {
      yield { type: "Text", id: "text", value: "Hello!" } as unknown as WidgetRoot;
      yield second;
    }
    await context.streamWidget(frames());
    const events = await collect(streamAgentResponse(context, iterableRun([])));
    assert.deepEqual(
      strip(events).map((e) => e.type === "thread.item.updated" ? e.update : e.type),
      ["thread.item.added", { type: "widget.root.updated", widget: second }, "thread.item.done"],
    );
    assert.deepEqual((events[2] as { item: { widget: unknown } }).item.widget, second);
  });

  test("4. context events stream without run events; the stream waits for the run", async () => {
    const { context } = makeContext();
    const run = new ScriptedRun();
    const gen = streamAgentResponse(context, run);
    const added: ThreadStreamEvent = { type: "thread.item.added", item: widgetItem("123", Card({ children: [] })) };
    await context.stream(added);
    assert.deepEqual(await gen.next(), { done: false, value: added });
    let settled = false;
    const pending = gen.next().then((r) => ((settled = true), r));
    await flush();
    assert.equal(settled, false);
    run.done();
    assert.deepEqual(await pending, { done: true, value: undefined });
  });

  test("5. context events and model events are merged", async () => {
    const { context } = makeContext();
    const run = new ScriptedRun();
    const gen = streamAgentResponse(context, run);
    await context.stream({ type: "thread.item.added", item: widgetItem("123", Card({ children: [] })) });
    run.push(responsesEvent(textDelta("123", "Hello, world!")));
    const first = await gen.next();
    const second = await gen.next();
    const types = [first.value, second.value].map((e) => (e as ThreadStreamEvent).type).sort();
    assert.deepEqual(types, ["thread.item.added", "thread.item.updated"]);
    let settled = false;
    const pending = gen.next().then((r) => ((settled = true), r));
    await flush();
    assert.equal(settled, false);
    run.done();
    assert.equal((await pending).done, true);
  });
});

describe("client tool calls", () => {
  test("6. the client tool call uses the raw function call ids", async () => {
    const { context } = makeContext();
    context.clientToolCall = { name: "get_selection", arguments: {} };
    const events = await collect(streamAgentResponse(context, iterableRun([toolCalled(fnCall("fc_123", "call_123"))])));
    assert.deepEqual(strip(events), [
      {
        type: "thread.item.done",
        item: { type: "client_tool_call", id: "fc_123", thread_id: thread.id, status: "pending", call_id: "call_123", name: "get_selection", arguments: {} },
      },
    ]);
  });

  test("7. without a function call the ids are generated", async () => {
    const { context } = makeContext();
    context.clientToolCall = { name: "get_selection", arguments: { a: 1 } };
    const events = await collect(streamAgentResponse(context, iterableRun([])));
    assert.deepEqual(strip(events), [
      {
        type: "thread.item.done",
        item: { type: "client_tool_call", id: "tool_call_id", thread_id: thread.id, status: "pending", call_id: "tool_call_id", name: "get_selection", arguments: { a: 1 } },
      },
    ]);
  });

  test("8. the last function call wins; a hosted call after it resets the ids", async () => {
    let { context } = makeContext();
    context.clientToolCall = { name: "x", arguments: {} };
    let events = await collect(
      streamAgentResponse(context, iterableRun([toolCalled(fnCall("fc_1", "call_1")), toolCalled(fnCall("fc_2", "call_2"))])),
    );
    assert.deepEqual(
      events.map((e) => e.type === "thread.item.done" && e.item.type === "client_tool_call" && [e.item.id, e.item.call_id]),
      [["fc_2", "call_2"]],
    );
    ({ context } = makeContext());
    context.clientToolCall = { name: "x", arguments: {} };
    events = await collect(streamAgentResponse(context, iterableRun([toolCalled(fnCall("fc_1", "call_1")), toolCalled(hostedCall)])));
    assert.deepEqual(
      events.map((e) => e.type === "thread.item.done" && e.item.type === "client_tool_call" && [e.item.id, e.item.call_id]),
      [["tool_call_id", "tool_call_id"]],
    );
  });
});

describe("model event mapping", () => {
  test("9. text delta", async () => {
    const { events } = await mapRaw([textDelta("123", "Hello, world!")]);
    assert.deepEqual(events, [updated("123", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Hello, world!" })]);
  });

  test("10. content part added", async () => {
    const { events } = await mapRaw([
      { type: "response.content_part.added", item_id: "123", output_index: 0, content_index: 1, part: { type: "output_text", text: "New content", annotations: [] } },
    ]);
    assert.deepEqual(events, [
      updated("123", { type: "assistant_message.content_part.added", content_index: 1, content: { type: "output_text", text: "New content", annotations: [] } }),
    ]);
  });

  test("11. text done sends the text with empty annotations", async () => {
    const { events } = await mapRaw([textDone("123", "Final text")]);
    assert.deepEqual(events, [
      updated("123", { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text: "Final text", annotations: [] } }),
    ]);
  });

  test("12. a file citation becomes an annotation", async () => {
    const { events } = await mapRaw([annotationAdded("123", { type: "file_citation", file_id: "file_123", filename: "file.txt", index: 5 })]);
    assert.deepEqual(events, [
      updated("123", { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: 0, annotation: fileAnnotation("file.txt", 5) }),
    ]);
  });

  test("13. dropped annotations leave no gap in the index", async () => {
    const { events } = await mapRaw([
      annotationAdded("item_123", fileCitation("", 0), 0),
      annotationAdded("item_123", containerCitation("container.txt", 3), 1),
      annotationAdded("item_123", urlCitation("https://example.com", "Example", 5), 2),
    ]);
    assert.deepEqual(events, [
      updated("item_123", { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: 0, annotation: fileAnnotation("container.txt", 3) }),
      updated("item_123", { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: 1, annotation: urlAnnotation("https://example.com", "Example", 5) }),
    ]);
  });

  test("14. plain-object annotations, nulls and file_path; counters per item and part", async () => {
    const url = { ...urlCitation("https://a.example", "A", 1), extra: "ignored" };
    const { events } = await mapRaw([
      annotationAdded("m1", null, 0, 0),
      annotationAdded("m1", { type: "file_path", file_id: "f", index: 1 }, 1, 0),
      annotationAdded("m1", url, 2, 0),
      annotationAdded("m1", url, 3, 0),
      annotationAdded("m1", url, 0, 1),
      annotationAdded("m2", { type: "mystery" }, 0, 0),
      annotationAdded("m2", url, 1, 0),
    ]);
    assert.deepEqual(
      events.map((e) => e.type === "thread.item.updated" && e.update.type === "assistant_message.content_part.annotation_added" && [e.item_id, e.update.content_index, e.update.annotation_index]),
      [["m1", 0, 0], ["m1", 0, 1], ["m1", 1, 0], ["m2", 0, 0]],
    );
  });

  test("15. a custom converter is used for streamed and final annotations", async () => {
    const calls: string[] = [];
    class Custom extends ResponseStreamConverter {
      override fileCitationToAnnotation(_c: FileCitation): Promise<Annotation | null> {
        calls.push("file_citation");
        return Promise.resolve({
          type: "annotation",
          source: { type: "file", filename: "report.pdf", title: "Usage Report", description: "Usage report for the month of January" },
          index: 111,
        });
      }
      override urlCitationToAnnotation(_c: UrlCitation): Promise<Annotation | null> {
        calls.push("url_citation");
        return Promise.resolve({ type: "annotation", source: { type: "url", url: "https://custom.example/url", title: "Custom" }, index: 222 });
      }
    }
    const { events } = await mapRaw(
      [annotationAdded("m_1", fileCitation("file.txt", 1)), messageDone("m_1", [outputText("Hello!", [urlCitation("https://example.com", "E", 6)])])],
      undefined,
      new Custom(),
    );
    const custom = { type: "annotation", source: { type: "file", filename: "report.pdf", title: "Usage Report", description: "Usage report for the month of January" }, index: 111 };
    assert.deepEqual(strip(events), [
      updated("m_1", { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: 0, annotation: custom }),
      { type: "thread.item.done", item: assistantItem("m_1", [{ text: "Hello!", annotations: [urlAnnotation("https://custom.example/url", "Custom", 222)] }]) },
    ]);
    assert.deepEqual(calls, ["file_citation", "url_citation"]);
  });

  test("16. assistant message content types", async () => {
    const { events } = await mapRaw([
      { type: "response.output_item.done", output_index: 0, item: { type: "file_search_call", id: "fs_1", queries: [], status: "completed" } },
      messageDone("1", [
        outputText("Hello, world!", [
          fileCitation("test.txt", 0),
          containerCitation("container.txt", 3),
          urlCitation("https://www.google.com", "Google", 10),
          { type: "file_path", file_id: "f", index: 1 },
        ]),
        { type: "output_text", text: "Can't do that", annotations: [] },
      ]),
    ]);
    assert.deepEqual(strip(events), [
      {
        type: "thread.item.done",
        item: assistantItem("1", [
          { text: "Hello, world!", annotations: [fileAnnotation("test.txt", 0), fileAnnotation("container.txt", 3), urlAnnotation("https://www.google.com", "Google", 10)] },
          { text: "Can't do that" },
        ]),
      },
    ]);
  });

  test("17. reasoning_text parts are ignored; refusals become text", async () => {
    const { events } = await mapRaw([
      { type: "response.content_part.added", item_id: "m", output_index: 0, content_index: 0, part: { type: "reasoning_text", text: "hmm" } },
      { type: "response.content_part.added", item_id: "m", output_index: 0, content_index: 0, part: { type: "refusal", refusal: "No" } },
    ]);
    assert.deepEqual(events, [
      updated("m", { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "No", annotations: [] } }),
    ]);
  });

  test("18. full message lifecycle; done reuses created_at of added", async () => {
    const cite = urlCitation("https://a.example", "A", 2);
    const { events } = await mapRaw([
      messageAdded("m1"),
      partAdded("m1"),
      textDelta("m1", "H"),
      textDelta("m1", "i"),
      annotationAdded("m1", cite),
      textDone("m1", "Hi"),
      messageDone("m1", [outputText("Hi", [cite])]),
    ]);
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: assistantItem("m1", []) },
      updated("m1", { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } }),
      updated("m1", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "H" }),
      updated("m1", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "i" }),
      updated("m1", { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: 0, annotation: urlAnnotation("https://a.example", "A", 2) }),
      updated("m1", { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text: "Hi", annotations: [] } }),
      { type: "thread.item.done", item: assistantItem("m1", [{ text: "Hi", annotations: [urlAnnotation("https://a.example", "A", 2)] }]) },
    ]);
    const [added, , , , , , done] = events as Array<{ item: ThreadItem }>;
    assert.equal(done!.item.created_at, added!.item.created_at);
  });
});

describe("guardrails and errors", () => {
  for (const kind of ["input", "output"] as const) {
    test(`${kind === "input" ? 19 : 20}. a ${kind} tripwire removes every produced item, then is re-thrown`, async () => {
      const { context } = makeContext();
      const run = new ScriptedRun();
      const gen = streamAgentResponse(context, run);
      run.push(responsesEvent(messageAdded("1")));
      await flush();
      await context.stream({ type: "thread.item.added", item: { ...(assistantItem("2", []) as ThreadItem), created_at: "" } as ThreadItem });
      await context.stream({ type: "thread.item.done", item: widgetItem("3", Card({ children: [] })) });
      for (let i = 0; i < 3; i++) assert.equal((await gen.next()).done, false);
      const error = tripwire(kind);
      run.fail(error);
      const rest = await collectUntilError(gen);
      assert.equal(rest.error, error);
      assert.deepEqual(
        new Set(rest.events.map((e) => e.type === "thread.item.removed" && e.item_id)),
        new Set(["1", "2", "3"]),
      );
      assert.equal(rest.events.length, 3);
    });
  }

  test("21. another error is re-thrown: no removals, no stored workflow, no client tool call", async () => {
    const { context, store } = makeContext();
    const run = new ScriptedRun();
    context.clientToolCall = { name: "x", arguments: {} };
    run.push(responsesEvent(reasoningAdded("rs_1")));
    const boom = new Error("boom");
    const gen = streamAgentResponse(context, run);
    assert.equal((await gen.next()).done, false);
    run.fail(boom);
    const rest = await collectUntilError(gen);
    assert.equal(rest.error, boom);
    assert.deepEqual(rest.events, []);
    assert.deepEqual(store.added, []);
    await context.stream({ type: "progress_update", text: "late" }); // ignored, no throw
  });
});

describe("generated images", () => {
  const imageAdded: ResponsesEvent = { type: "response.output_item.added", output_index: 0, item: { type: "image_generation_call", id: "img_call_1", status: "in_progress", result: null } };
  const imageDone = (result: string | null): ResponsesEvent => ({
    type: "response.output_item.done",
    output_index: 0,
    item: { type: "image_generation_call", id: "img_call_1", status: "completed", result },
  });
  const imageItem = (image?: { id: string; url: string }) => ({ type: "generated_image", id: "message_id", thread_id: thread.id, ...(image ? { image } : {}) });

  test("22. added, then done with a data URL", async () => {
    const { events, context } = await mapRaw([imageAdded, imageDone("dGVzdA==")]);
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: imageItem() },
      { type: "thread.item.done", item: imageItem({ id: "img_call_1", url: "data:image/png;base64,dGVzdA==" }) },
    ]);
    assert.equal(context.generatedImageItem, null);
  });

  test("23. a custom base64ImageToUrl", async () => {
    const calls: unknown[][] = [];
    class Upload extends ResponseStreamConverter {
      override base64ImageToUrl(imageId: string, b64: string, index?: number) {
        calls.push([imageId, b64, index]);
        return Promise.resolve(`https://example.com/${imageId}`);
      }
    }
    const { events } = await mapRaw([imageAdded, imageDone("dGVzdA==")], undefined, new Upload());
    assert.deepEqual(calls, [["img_call_1", "dGVzdA==", undefined]]);
    assert.deepEqual(strip(events[1]), { type: "thread.item.done", item: imageItem({ id: "img_call_1", url: "https://example.com/img_call_1" }) });
  });

  test("24. partial images report progress", async () => {
    const { events } = await mapRaw(
      [imageAdded, { type: "response.image_generation_call.partial_image", item_id: "img_call_1", output_index: 0, partial_image_index: 1, partial_image_b64: "dGVzdA==" }, imageDone("dGVzdA==")],
      undefined,
      new ResponseStreamConverter({ partialImages: 3 }),
    );
    assert.equal(events.length, 3);
    const update = events[1] as { item_id: string; update: { type: string; image: unknown; progress: number } };
    assert.equal(update.item_id, "message_id");
    assert.equal(update.update.type, "generated_image.updated");
    assert.deepEqual(update.update.image, { id: "img_call_1", url: "data:image/png;base64,dGVzdA==" });
    assert.ok(Math.abs(update.update.progress - 1 / 3) < 1e-9);
    assert.equal(events[2]!.type, "thread.item.done");
  });

  test("25. edge cases", async () => {
    const partial: ResponsesEvent = { type: "response.image_generation_call.partial_image", item_id: "img_call_1", output_index: 0, partial_image_index: 0, partial_image_b64: "x" };
    assert.deepEqual((await mapRaw([partial, imageDone("dGVzdA==")])).events, []);
    assert.equal((await mapRaw([imageAdded, imageDone(null)])).events.length, 1);
    assert.equal(new ResponseStreamConverter().partialImageIndexToProgress(2), 0);
    assert.equal(new ResponseStreamConverter({ partialImages: 2 }).partialImageIndexToProgress(5), 1);
  });
});

describe("workflows and reasoning", () => {
  const workflowItem = (id: string, type: "reasoning" | "custom", tasks: unknown[], extra: Record<string, unknown> = {}) => ({
    type: "workflow",
    id,
    thread_id: thread.id,
    workflow: { type, tasks, expanded: false, ...extra },
  });

  test("26/57. the first thought streams; later thoughts arrive whole; the open workflow is stored", async () => {
    const { events, store, context } = await mapRaw([
      reasoningAdded("resp_1"),
      summaryDelta("resp_1", "Think"),
      summaryDelta("resp_1", "ing 1"),
      summaryDone("resp_1", "Thinking 1"),
      summaryDelta("resp_1", "Think", 1),
      summaryDelta("resp_1", "ing 2", 1),
      summaryDone("resp_1", "Thinking 2", 1),
    ]);
    const expected = [
      { type: "thread.item.added", item: workflowItem("workflow_id", "reasoning", []) },
      updated("workflow_id", { type: "workflow.task.added", task: thought("Think"), task_index: 0 }),
      updated("workflow_id", { type: "workflow.task.updated", task: thought("Thinking 1"), task_index: 0 }),
      updated("workflow_id", { type: "workflow.task.updated", task: thought("Thinking 1"), task_index: 0 }),
      updated("workflow_id", { type: "workflow.task.added", task: thought("Thinking 2"), task_index: 1 }),
    ];
    assert.deepEqual(strip(events), expected);
    assert.deepEqual(strip(store.added), [{ threadId: thread.id, item: workflowItem("workflow_id", "reasoning", [thought("Thinking 1"), thought("Thinking 2")]) }]);
    // 57: the collected events are snapshots
    context.workflowItem!.workflow.tasks.push(thought("mutated"));
    (context.workflowItem!.workflow.tasks[0] as { content: string }).content = "mutated";
    assert.deepEqual(strip(events), expected);
  });

  test("27. a message ends the workflow with a duration", async () => {
    const { events, context, store } = await mapRaw([reasoningAdded("rs"), summaryDone("rs", "Thinking 1"), messageAdded("m_1")]);
    assert.equal(events.length, 4);
    assert.deepEqual(strip(events.slice(0, 2)), [
      { type: "thread.item.added", item: workflowItem("workflow_id", "reasoning", []) },
      updated("workflow_id", { type: "workflow.task.added", task: thought("Thinking 1"), task_index: 0 }),
    ]);
    const done = events[2] as { type: string; item: WorkflowItem };
    assert.equal(done.type, "thread.item.done");
    assert.equal(done.item.id, "workflow_id");
    assert.equal(done.item.workflow.expanded, false);
    const summary = done.item.workflow.summary as { duration: number };
    assert.ok(Number.isInteger(summary.duration) && summary.duration >= 0);
    assert.deepEqual(strip(events[3]), { type: "thread.item.added", item: assistantItem("m_1", []) });
    assert.equal(context.workflowItem, null);
    assert.deepEqual(store.added, []);
  });

  test("28. an existing summary is kept on the automatic end", async () => {
    const { context } = makeContext();
    context.workflowItem = {
      type: "workflow",
      id: "wf_1",
      thread_id: thread.id,
      created_at: new Date().toISOString(),
      workflow: { type: "custom", tasks: [], summary: { title: "Test" }, expanded: true },
    };
    // streamAgentResponse reloads the continuation from the store, so preset it there.
    const events = await collect(streamAgentResponse(context, iterableRun([responsesEvent(messageAdded("m"))])));
    assert.equal(events[0]!.type, "thread.item.done");
    assert.deepEqual((events[0] as { item: WorkflowItem }).item.workflow.summary, { title: "Test" });
    assert.equal((events[0] as { item: WorkflowItem }).item.workflow.expanded, false);
  });

  const storedWorkflow = (): WorkflowItem => ({
    type: "workflow",
    id: "wf_old",
    thread_id: thread.id,
    created_at: new Date().toISOString(),
    workflow: { type: "custom", tasks: [{ type: "custom", title: "Earlier", status_indicator: "none" }], expanded: false },
  });
  const clientCall = (): ThreadItem => ({
    type: "client_tool_call",
    id: "fc_1",
    thread_id: thread.id,
    created_at: new Date().toISOString(),
    status: "completed",
    call_id: "call_1",
    name: "x",
    arguments: {},
    output: null,
  });

  test("29. a stored workflow is continued", async () => {
    const { makeStore } = { makeStore: () => { const { store } = makeContext(); store.recent = [storedWorkflow()]; return store; } };
    const { events } = await mapRaw([reasoningAdded("rs"), summaryDone("rs", "T"), messageAdded("m")], makeStore());
    assert.deepEqual(strip(events[0]), updated("wf_old", { type: "workflow.task.added", task: thought("T"), task_index: 1 }));
    const done = events[1] as { type: string; item: WorkflowItem };
    assert.equal(done.type, "thread.item.done");
    assert.equal(done.item.id, "wf_old");
    assert.equal(done.item.workflow.tasks.length, 2);
    assert.ok("duration" in (done.item.workflow.summary ?? {}));
    assert.equal(events[2]!.type, "thread.item.added");
    assert.equal(events.length, 3);
  });

  test("30. continuation rules", async () => {
    const continued = async (recent: ThreadItem[]) => {
      const { context, store } = makeContext();
      store.recent = recent;
      context.workflowItem = null;
      await collect(streamAgentResponse(context, iterableRun([])));
      return store.added.map((a) => a.item.id);
    };
    assert.deepEqual(await continued([clientCall(), storedWorkflow()]), ["wf_old"]);
    assert.deepEqual(await continued([clientCall(), strip(assistantItem("a", [])) as ThreadItem]), []);
    const user: ThreadItem = { type: "user_message", id: "u", thread_id: thread.id, created_at: "", content: [], attachments: [], inference_options: {} };
    assert.deepEqual(await continued([user, storedWorkflow()]), []);
  });

  test("31. visible side-channel items close the workflow; tool calls and hidden context do not", async () => {
    const run = async (item: ThreadItem, kind: "thread.item.added" | "thread.item.done" = "thread.item.added") => {
      const { context } = makeContext();
      const scripted = new ScriptedRun();
      const gen = streamAgentResponse(context, scripted);
      scripted.push(responsesEvent(reasoningAdded("rs")));
      assert.equal((await gen.next()).done, false);
      await context.stream({ type: kind, item } as ThreadStreamEvent);
      scripted.done();
      const rest = await collect(gen);
      return rest.map((e) => `${e.type}:${"item" in e ? e.item.id : ""}`);
    };
    const w1 = widgetItem("w1", Card({ children: [] }));
    assert.deepEqual(await run(w1), ["thread.item.done:workflow_id", "thread.item.added:w1"]);
    assert.deepEqual(await run({ ...clientCall(), status: "pending" } as ThreadItem, "thread.item.done"), ["thread.item.done:fc_1"]);
    const hidden: ThreadItem = { type: "hidden_context_item", id: "h", thread_id: thread.id, created_at: "", content: "x" };
    assert.deepEqual(await run(hidden, "thread.item.done"), ["thread.item.done:h"]);
    const sdkHidden: ThreadItem = { type: "sdk_hidden_context", id: "s", thread_id: thread.id, created_at: "", content: "x" };
    assert.deepEqual(await run(sdkHidden, "thread.item.done"), ["thread.item.done:workflow_id", "thread.item.done:s"]);
  });

  const t1 = { type: "custom", title: "t1", status_indicator: "none" } as const;
  const t2 = { type: "custom", title: "t2", status_indicator: "none" } as const;
  const t1b = { type: "custom", title: "t1b", status_indicator: "complete" } as const;

  for (const queuedFirst of [false, true]) {
    test(`32. workflow helpers${queuedFirst ? " (all queued before reading)" : ""}`, async () => {
      const { context, store } = makeContext();
      const run = new ScriptedRun();
      const gen = streamAgentResponse(context, run);
      const events: ThreadStreamEvent[] = [];
      const steps = [
        () => context.startWorkflow({ type: "custom", tasks: [], expanded: false }),
        () => context.addWorkflowTask(t1),
        () => context.addWorkflowTask(t2),
        () => context.updateWorkflowTask(t1b, 0),
        () => context.endWorkflow(),
      ];
      const counts = [0, 1, 1, 1, 1];
      if (queuedFirst) {
        for (const step of steps) await step();
        for (let i = 0; i < 4; i++) events.push((await gen.next()).value as ThreadStreamEvent);
      } else {
        for (const [i, step] of steps.entries()) {
          await step();
          for (let n = 0; n < counts[i]!; n++) events.push((await gen.next()).value as ThreadStreamEvent);
        }
      }
      run.done();
      assert.deepEqual(await collect(gen), []);
      assert.equal(events.length, 4);
      assert.deepEqual(strip(events.slice(0, 3)), [
        { type: "thread.item.added", item: workflowItem("workflow_id", "custom", [t1]) },
        updated("workflow_id", { type: "workflow.task.added", task: t2, task_index: 1 }),
        updated("workflow_id", { type: "workflow.task.updated", task: t1b, task_index: 0 }),
      ]);
      const done = events[3] as { type: string; item: WorkflowItem };
      assert.equal(done.type, "thread.item.done");
      assert.deepEqual(done.item.workflow.tasks, [t1b, t2]);
      assert.ok("duration" in (done.item.workflow.summary ?? {}));
      assert.equal(done.item.workflow.expanded, false);
      assert.equal(context.workflowItem, null);
      assert.deepEqual(store.added, []);
    });
  }

  test("33. more helpers", async () => {
    const drain = async (act: (c: ReturnType<typeof makeContext>["context"]) => Promise<void>) => {
      const { context } = makeContext();
      await act(context);
      return collect(streamAgentResponse(context, iterableRun([])));
    };
    let events = await drain(async (c) => {
      await c.startWorkflow({ type: "custom", tasks: [t1], expanded: false });
      await c.endWorkflow({ summary: { title: "Done" }, expanded: true });
    });
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: workflowItem("workflow_id", "custom", [t1]) },
      { type: "thread.item.done", item: workflowItem("workflow_id", "custom", [t1], { summary: { title: "Done" }, expanded: true }) },
    ]);
    assert.deepEqual(await drain((c) => c.endWorkflow()), []);
    await assert.rejects(makeContext().context.updateWorkflowTask(t1, 0));
    events = await drain(async (c) => c.addWorkflowTask(t1));
    // A workflow left open is stored at the end, not sent as done.
    assert.deepEqual(strip(events), [{ type: "thread.item.added", item: workflowItem("workflow_id", "custom", [t1]) }]);
    events = await drain(async (c) => c.startWorkflow({ type: "reasoning", tasks: [], expanded: false }));
    assert.deepEqual(strip(events), [{ type: "thread.item.added", item: workflowItem("workflow_id", "reasoning", []) }]);
  });
});

describe("[ts] JS SDK stream shape", () => {
  test("47. normalized duplicates, other sources and other run items give nothing", async () => {
    const { context } = makeContext();
    const chat = Object.assign(responsesEvent({ type: "chunk" }), { source: "openai-chat-completions" });
    const events = await collect(
      streamAgentResponse(
        context,
        iterableRun([
          responsesEvent({ type: "response.created", response: { id: "r" } }),
          { type: "raw_model_stream_event", data: { type: "output_text_delta", delta: "dup", itemId: "m" }, source: undefined } as never,
          responsesEvent(textDelta("m", "one")),
          chat,
          { type: "agent_updated_stream_event", agent: {} } as never,
          { type: "run_item_stream_event", name: "tool_output", item: { type: "tool_call_output_item" } } as never,
          { type: "run_item_stream_event", name: "handoff_requested", item: { type: "handoff_call_item", rawItem: fnCall("h", "c") } } as never,
        ]),
      ),
    );
    assert.deepEqual(events, [updated("m", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "one" })]);
  });

  test("56. fallback for models without Responses events", async () => {
    const { context } = makeContext();
    const raw = (data: unknown) => ({ type: "raw_model_stream_event", data, source: undefined }) as never;
    const events = await collect(
      streamAgentResponse(
        context,
        iterableRun([
          raw({ type: "response_started" }),
          raw({ type: "output_text_delta", delta: "Hel", itemId: "cc_1" }),
          raw({ type: "output_text_delta", delta: "lo", itemId: "cc_1" }),
          raw({
            type: "response_done",
            response: { id: "r", usage: {}, output: [{ type: "message", role: "assistant", id: "cc_1", status: "completed", content: [{ type: "output_text", text: "Hello" }] }] },
          }),
        ]),
      ),
    );
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: assistantItem("cc_1", []) },
      updated("cc_1", { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } }),
      updated("cc_1", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Hel" }),
      updated("cc_1", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "lo" }),
      { type: "thread.item.done", item: assistantItem("cc_1", [{ text: "Hello" }]) },
    ]);
  });
});

describe("[ts] cancellation", () => {
  test("53. return() while a read is pending cancels the run at once", async () => {
    const { context, store } = makeContext();
    const run = new ScriptedRun();
    context.clientToolCall = { name: "x", arguments: {} };
    const gen = streamAgentResponse(context, run);
    run.push(responsesEvent(reasoningAdded("rs")));
    assert.equal((await gen.next()).done, false);
    const pending = gen.next();
    await flush();
    const closed = gen.return(undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(run.cancelled, true);
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.deepEqual(await closed, { done: true, value: undefined });
    assert.deepEqual(store.added, []);
    await context.stream({ type: "progress_update", text: "late" });
  });

  test("54. a cancelled run throws AbortError; no workflow stored, no client tool call", async () => {
    const { context, store } = makeContext();
    const run = new ScriptedRun();
    context.clientToolCall = { name: "x", arguments: {} };
    const gen = streamAgentResponse(context, run);
    run.push(responsesEvent(reasoningAdded("rs")));
    assert.equal((await gen.next()).done, false);
    await context.stream({ type: "progress_update", text: "queued" });
    run.cancel();
    const rest = await collectUntilError(gen);
    assert.ok(rest.error instanceof DOMException);
    assert.equal(rest.error.name, "AbortError");
    assert.deepEqual(rest.events.map((e) => e.type), ["progress_update"]); // observed before the cancel
    assert.deepEqual(store.added, []);
  });

  test("54b. options.signal aborting throws its reason at once, even if the run is stuck", async () => {
    const { context, store } = makeContext();
    const run = new ScriptedRun();
    const controller = new AbortController();
    const gen = streamAgentResponse(context, run, { signal: controller.signal });
    run.push(responsesEvent(reasoningAdded("rs")));
    assert.equal((await gen.next()).done, false);
    const pending = gen.next();
    const reason = new Error("stop");
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.equal(run.cancelled, true);
    assert.deepEqual(store.added, []);
  });
});
