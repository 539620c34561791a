import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { Agent, InputGuardrailTripwireTriggered, RunRawModelStreamEvent, run, tool, type RunStreamEvent } from "@openai/agents";
import { accumulateText, AgentContext, getAgentContext, simpleToAgentInput, streamAgentResponse } from "../../src/agents/index.js";
import type { ThreadItem, WorkflowItem } from "../../src/index.js";
import { Text } from "../../src/widgets/components.js";
import {
  assistantMessage,
  functionCallDone,
  messageAdded,
  messageDone,
  modelResponse,
  outputText,
  partAdded,
  reasoningAdded,
  reasoningDone,
  responsesTurn,
  ScriptedModel,
  summaryDone,
  textDelta,
  textDone,
  urlCitation,
  annotationAdded,
} from "./fake-model.js";
import { assistantItem, collect, collectUntilError, makeContext, MockStore, reqCtx, strip, thread, updated, urlAnnotation, type Ctx } from "./helpers.js";

const selectionTool = tool({
  name: "get_selection",
  description: "Reads the user's selection in the client.",
  parameters: z.object({}),
  execute: async (_args, runContext) => {
    const ctx = getAgentContext<Ctx>(runContext);
    await ctx.stream({ type: "progress_update", text: "Reading selection…" });
    ctx.clientToolCall = { name: "get_selection", arguments: {} };
    return "requested from client";
  },
});

const agentWith = (model: ScriptedModel, extra: Partial<ConstructorParameters<typeof Agent<AgentContext<Ctx>>>[0]> = {}) =>
  new Agent<AgentContext<Ctx>>({
    name: "Assistant",
    instructions: "Be brief.",
    model,
    tools: [selectionTool],
    toolUseBehavior: { stopAtToolNames: ["get_selection"] },
    ...extra,
  });

describe("end to end with run() and a scripted model", () => {
  test("48. one message, streamed", async () => {
    const cite = urlCitation("https://example.com", "Example", 2);
    const model = new ScriptedModel([
      responsesTurn([
        messageAdded("m1"),
        partAdded("m1"),
        textDelta("m1", "H"),
        textDelta("m1", "i"),
        annotationAdded("m1", cite),
        textDone("m1", "Hi"),
        messageDone("m1", [outputText("Hi", [cite])]),
      ]),
    ]);
    const { context } = makeContext();
    const result = await run(agentWith(model), "Hello", { stream: true, context });
    const events = await collect(streamAgentResponse(context, result));
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: assistantItem("m1", []) },
      updated("m1", { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } }),
      updated("m1", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "H" }),
      updated("m1", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "i" }),
      updated("m1", { type: "assistant_message.content_part.annotation_added", content_index: 0, annotation_index: 0, annotation: urlAnnotation("https://example.com", "Example", 2) }),
      updated("m1", { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text: "Hi", annotations: [] } }),
      { type: "thread.item.done", item: assistantItem("m1", [{ text: "Hi", annotations: [urlAnnotation("https://example.com", "Example", 2)] }]) },
    ]);
    assert.equal(result.finalOutput, "Hi");
    assert.equal(result.cancelled, false); // releasing the reader at the end does not cancel a finished run
  });

  test("49. a tool streams progress and requests a client tool call; the turn ends there", async () => {
    const model = new ScriptedModel([responsesTurn([functionCallDone("get_selection", "{}", "call_1", "fc_1")])]);
    const { context } = makeContext();
    const result = await run(agentWith(model), "What did I select?", { stream: true, context });
    const events = await collect(streamAgentResponse(context, result));
    assert.deepEqual(strip(events), [
      { type: "progress_update", text: "Reading selection…" },
      {
        type: "thread.item.done",
        item: { type: "client_tool_call", id: "fc_1", thread_id: thread.id, status: "pending", call_id: "call_1", name: "get_selection", arguments: {} },
      },
    ]);
    assert.equal(model.calls.length, 1);
  });

  test("50. a reasoning workflow survives the client tool call round trip", async () => {
    const store = new MockStore();
    const model = new ScriptedModel([
      responsesTurn([reasoningAdded("rs_1"), summaryDone("rs_1", "Look at the selection"), reasoningDone("rs_1", ["Look at the selection"]), functionCallDone("get_selection", "{}", "call_1", "fc_1")]),
      responsesTurn([reasoningAdded("rs_2"), summaryDone("rs_2", "Answer"), reasoningDone("rs_2", ["Answer"]), messageAdded("m1"), messageDone("m1", [outputText("Two nodes")])]),
    ]);
    const agent = agentWith(model);

    // Turn 1
    const first = new AgentContext<Ctx>({ thread, store, requestContext: reqCtx });
    const events1 = await collect(streamAgentResponse(first, await run(agent, "Describe my selection", { stream: true, context: first })));
    assert.deepEqual(events1.map((e) => `${e.type}:${"item" in e ? e.item.type : ""}`), [
      "thread.item.added:workflow",
      "thread.item.updated:",
      "progress_update:",
      "thread.item.done:client_tool_call",
    ]);
    assert.equal(store.added.length, 1);
    const stored = store.added[0]!.item as WorkflowItem;
    assert.equal(stored.type, "workflow");
    assert.equal(stored.workflow.tasks.length, 1);
    // What the pipeline would have done: store the pending call, then the client's output.
    const call = (events1[3] as { item: ThreadItem }).item;
    await store.addThreadItem(thread.id, { ...call, status: "completed", output: { nodes: 2 } } as ThreadItem, reqCtx);
    store.recent = [{ ...call, status: "completed", output: { nodes: 2 } } as ThreadItem, stored];

    // Turn 2
    const items = (await store.loadThreadItems(thread.id, undefined, 20, "asc", reqCtx)).data;
    const input = await simpleToAgentInput(items);
    const second = new AgentContext<Ctx>({ thread, store, requestContext: reqCtx });
    const events2 = await collect(streamAgentResponse(second, await run(agent, input, { stream: true, context: second })));
    assert.deepEqual(strip(events2[0]), updated(stored.id, { type: "workflow.task.added", task: { type: "thought", content: "Answer", status_indicator: "none" }, task_index: 1 }));
    assert.equal(events2[1]!.type, "thread.item.done");
    assert.equal((events2[1] as { item: WorkflowItem }).item.id, stored.id);
    assert.deepEqual(strip(events2.slice(2)), [
      { type: "thread.item.added", item: assistantItem("m1", []) },
      { type: "thread.item.done", item: assistantItem("m1", [{ text: "Two nodes" }]) },
    ]);
    const modelInput = model.calls[1]!.request.input as Array<Record<string, unknown>>;
    assert.ok(modelInput.some((i) => i.type === "function_call" && i.callId === "call_1"));
    assert.ok(modelInput.some((i) => i.type === "function_call_result" && i.callId === "call_1" && i.output === '{"nodes":2}'));
  });

  test("55. a blocking input guardrail: no events, the tripwire is re-thrown, no model call", async () => {
    const model = new ScriptedModel([responsesTurn([messageAdded("m1")])]);
    const agent = agentWith(model, {
      inputGuardrails: [
        { name: "block", runInParallel: false, execute: async () => ({ tripwireTriggered: true, outputInfo: null }) },
      ],
    });
    const { context } = makeContext();
    const result = await run(agent, "bad", { stream: true, context });
    const { events, error } = await collectUntilError(streamAgentResponse(context, result));
    assert.deepEqual(events, []);
    assert.ok(error instanceof InputGuardrailTripwireTriggered);
    assert.equal(model.calls.length, 0);
  });

  test("56. fallback: a model response without Responses events still streams", async () => {
    const model = new ScriptedModel([modelResponse([assistantMessage("Hi", { id: "x" })])]);
    const { context } = makeContext();
    const result = await run(agentWith(model), "Hello", { stream: true, context });
    const events = await collect(streamAgentResponse(context, result));
    assert.deepEqual(strip(events), [
      { type: "thread.item.added", item: assistantItem("x", []) },
      updated("x", { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } }),
      updated("x", { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Hi" }),
      { type: "thread.item.done", item: assistantItem("x", [{ text: "Hi" }]) },
    ]);
  });
});

describe("accumulateText", () => {
  test("46. text deltas become widget states", async () => {
    const delta = (text: string) => new RunRawModelStreamEvent({ type: "output_text_delta", delta: text });
    async function* events(): AsyncGenerator<RunStreamEvent> {
      yield delta("Hello, ");
      yield delta("world!");
    }
    const base = Text({ key: "text", value: "", streaming: true });
    const states = await collect(accumulateText(events(), base));
    assert.deepEqual(states, [
      { type: "Text", key: "text", value: "", streaming: true },
      { type: "Text", key: "text", value: "Hello, ", streaming: true },
      { type: "Text", key: "text", value: "Hello, world!", streaming: true },
      { type: "Text", key: "text", value: "Hello, world!", streaming: false },
    ]);
    assert.equal(states[0], base);
  });
});
