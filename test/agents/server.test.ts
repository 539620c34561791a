import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Agent, run, type AgentInputItem } from "@openai/agents";
import { modelStreamResponder } from "@openai/agents/testing";
import { AgentContext, streamAgentResponse, ThreadItemConverter } from "../../src/agents/index.js";
import {
  ChatKitServer,
  InMemoryStore,
  StreamingResult,
  USER_CANCELLED_NOTE,
  type ThreadItem,
  type ThreadMetadata,
  type ThreadStreamEvent,
  type Turn,
  type UserMessageItem,
} from "../../src/index.js";
import { addMessage, create, createdThreadId, MemoryLogger, parseSse } from "../support/helpers.js";
import {
  messageAdded,
  messageDone,
  outputText,
  partAdded,
  responsesTurn,
  responsesTurnEvents,
  ScriptedModel,
  textDelta,
  textDone,
} from "./fake-model.js";
import "./helpers.js"; // disables tracing

interface Ctx {
  userId: string;
}
const ctx: Ctx = { userId: "u1" };
const decoder = new TextDecoder();

/** The README's shape of an agent-backed server. */
class AgentServer extends ChatKitServer<Ctx> {
  readonly converter = new ThreadItemConverter();
  readonly contexts: AgentContext<Ctx>[] = [];
  readonly modelInputs: AgentInputItem[][] = [];
  constructor(readonly agent: Agent<AgentContext<Ctx>>, store = new InMemoryStore<Ctx>()) {
    super({ store, logger: new MemoryLogger() });
  }
  async *respond(thread: ThreadMetadata, _input: UserMessageItem | null, context: Ctx, turn: Turn): AsyncGenerator<ThreadStreamEvent> {
    const page = await this.store.loadThreadItems(thread.id, undefined, 20, "desc", context);
    const input = await this.converter.toAgentInput([...page.data].reverse());
    this.modelInputs.push(input);
    const agentContext = new AgentContext<Ctx>({ thread, store: this.store, requestContext: context });
    this.contexts.push(agentContext);
    const result = await run(this.agent, input, { stream: true, context: agentContext, signal: turn.signal });
    yield* streamAgentResponse(agentContext, result);
  }
}

const helloTurn = () =>
  responsesTurn([
    messageAdded("msg_a"),
    partAdded("msg_a"),
    textDelta("msg_a", "Hel"),
    textDelta("msg_a", "lo"),
    textDone("msg_a", "Hello"),
    messageDone("msg_a", [outputText("Hello")]),
  ]);

const strip = (events: ThreadStreamEvent[]) =>
  JSON.parse(JSON.stringify(events, (key, v: unknown) => (key === "created_at" ? undefined : v))) as unknown[];

describe("through ChatKitServer.process", () => {
  test("51. a full turn streams the agent's message and stores it", async () => {
    const model = new ScriptedModel([helloTurn()]);
    const server = new AgentServer(new Agent<AgentContext<Ctx>>({ name: "A", model }));
    const result = await server.process(JSON.stringify(create("Hi")), ctx);
    assert.ok(result instanceof StreamingResult);
    let text = "";
    for await (const chunk of result) text += decoder.decode(chunk);
    const events = parseSse(text);
    const threadId = createdThreadId(events);
    const tail = events.slice(events.findIndex((e) => e.type === "stream_options"));
    assert.deepEqual(events.map((e) => e.type).slice(0, events.indexOf(tail[0]!)).includes("thread.item.done"), true);
    assert.deepEqual(strip(tail), [
      { type: "stream_options", stream_options: { allow_cancel: true } },
      { type: "thread.item.added", item: { type: "assistant_message", id: "msg_a", thread_id: threadId, content: [] } },
      { type: "thread.item.updated", item_id: "msg_a", update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } } },
      { type: "thread.item.updated", item_id: "msg_a", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Hel" } },
      { type: "thread.item.updated", item_id: "msg_a", update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "lo" } },
      { type: "thread.item.updated", item_id: "msg_a", update: { type: "assistant_message.content_part.done", content_index: 0, content: { type: "output_text", text: "Hello", annotations: [] } } },
      { type: "thread.item.done", item: { type: "assistant_message", id: "msg_a", thread_id: threadId, content: [{ type: "output_text", text: "Hello", annotations: [] }] } },
    ]);
    const stored = (await server.store.loadThreadItems(threadId, undefined, 10, "asc", ctx)).data;
    assert.deepEqual(stored.map((i) => i.type), ["user_message", "assistant_message"]);
    assert.deepEqual(server.modelInputs[0], [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] }]);
  });

  test("52. cancelling mid-stream aborts the model call and keeps the partial answer", async () => {
    let resumeAfterAbort: Promise<void> | undefined;
    const model = new ScriptedModel([
      modelStreamResponder((call) => {
        const signal = call.request.signal!;
        // Pause after "Hel" until the request is aborted, like a slow model.
        resumeAfterAbort = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        return responsesTurnEvents(
          [messageAdded("msg_a"), partAdded("msg_a"), textDelta("msg_a", "Hel"), textDelta("msg_a", "lo"), messageDone("msg_a", [outputText("Hello")])],
          { pauseBefore: { 3: () => resumeAfterAbort! } },
        );
      }),
      helloTurn(),
    ]);
    const store = new InMemoryStore<Ctx>();
    const added: ThreadItem[] = [];
    const addThreadItem = store.addThreadItem.bind(store);
    store.addThreadItem = (threadId, item, context) => (added.push(structuredClone(item)), addThreadItem(threadId, item, context));
    const server = new AgentServer(new Agent<AgentContext<Ctx>>({ name: "A", model }), store);

    const controller = new AbortController();
    const result = await server.process(JSON.stringify(create("Hi")), ctx, { signal: controller.signal });
    assert.ok(result instanceof StreamingResult);
    const events: ThreadStreamEvent[] = [];
    for await (const chunk of result) {
      const [event] = parseSse(decoder.decode(chunk));
      events.push(event!);
      if (event!.type === "thread.item.updated" && event!.update.type === "assistant_message.content_part.text_delta") controller.abort();
    }
    const threadId = createdThreadId(events);

    assert.equal(model.calls[0]!.request.signal?.aborted, true, "the model request saw the abort");
    assert.equal(events.some((e) => e.type === "error"), false, "no error event");
    assert.equal(events.at(-1)!.type, "thread.item.updated");

    const stored = (await store.loadThreadItems(threadId, undefined, 10, "asc", ctx)).data;
    assert.deepEqual(
      stored.map((i) => i.type),
      ["user_message", "assistant_message", "sdk_hidden_context"],
    );
    const partial = stored[1]!;
    assert.ok(partial.type === "assistant_message");
    assert.equal(partial.id, "msg_a");
    assert.deepEqual(partial.content, [{ type: "output_text", text: "Hel", annotations: [] }]);
    assert.ok(stored[2]!.type === "sdk_hidden_context" && stored[2]!.content === USER_CANCELLED_NOTE);
    assert.equal(added.some((i) => i.type === "workflow"), false);

    // A tool streaming after the cancellation is ignored.
    await server.contexts[0]!.stream({ type: "progress_update", text: "late" });

    // The next turn tells the model the previous answer was cancelled.
    const next = await server.process(JSON.stringify(addMessage(threadId, "Again")), ctx);
    assert.ok(next instanceof StreamingResult);
    for await (const _ of next);
    const input = server.modelInputs[1]!;
    assert.deepEqual(input.slice(-2), [
      {
        type: "message",
        role: "user",
        content: [{ type: "input_text", text: `Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${USER_CANCELLED_NOTE}\n</HiddenContext>` }],
      },
      { type: "message", role: "user", content: [{ type: "input_text", text: "Again" }] },
    ]);
    assert.deepEqual(input[1], { type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hel" }] });
  });
});
