import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { serve } from "@hono/node-server";
import { APICallError, tool } from "ai";
import { Hono } from "hono";
import { z } from "zod";
import { StreamingResult, toFetchHandler, toNodeHandler, USER_CANCELLED_NOTE, type ThreadStreamEvent } from "../../src/index.js";
import { addMessage, create, createdThreadId, deferred, parseSse, stream } from "../support/helpers.js";
import { AiServer, ctx, strip, task, workflow, zeroDurations, type Ctx } from "./helpers.js";
import { finish, reasoning, ScriptedModel, step, text, toolCall } from "./mock-model.js";

const decoder = new TextDecoder();
/** A prompt as JSON (the AI SDK leaves `undefined` fields in it). */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const userPrompt = (value: string) => ({ role: "user", content: [{ type: "text", text: value }] });
const assistantPrompt = (value: string) => ({ role: "assistant", content: [{ type: "text", text: value }] });
const hiddenPrompt = (value: string) => userPrompt(`Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${value}\n</HiddenContext>`);

const getSelection = tool({ description: "The user's selection on the canvas.", inputSchema: z.object({}) });

const items = async (server: AiServer, threadId: string) => (await server.store.loadThreadItems(threadId, undefined, 50, "asc", ctx)).data;

describe("through ChatKitServer.process", () => {
  test("a turn streams the answer and stores it; turn 2's model input holds turn 1 exactly", async () => {
    const model = new ScriptedModel([step(text("t", "Hello", " there!")), step(text("t", "Fine."))]);
    const server = new AiServer(model);
    const first = await stream(server, create("Hi"), ctx);
    const threadId = createdThreadId(first);
    const answer = first.slice(first.findIndex((e) => e.type === "stream_options") + 1);
    assert.deepEqual(
      answer.map((e) => (e.type === "thread.item.updated" ? e.update.type : e.type)),
      ["thread.item.added", "assistant_message.content_part.added", "assistant_message.content_part.text_delta", "assistant_message.content_part.text_delta", "assistant_message.content_part.done", "thread.item.done"],
    );
    const stored = await items(server, threadId);
    assert.deepEqual(
      stored.map((item) => [item.type, item.type === "assistant_message" ? item.content[0]!.text : ""]),
      [["user_message", ""], ["assistant_message", "Hello there!"]],
    );

    await stream(server, addMessage(threadId, "How are you?"), ctx);
    assert.deepEqual(json(model.prompt(1)), [userPrompt("Hi"), assistantPrompt("Hello there!"), userPrompt("How are you?")]);
  });

  test("reasoning, then the answer: the stored workflow is ended before the message", async () => {
    const model = new ScriptedModel([step(reasoning("r", "Thinking"), text("t", "42"))]);
    const server = new AiServer(model);
    const threadId = createdThreadId(await stream(server, create("Meaning of life?"), ctx));
    const stored = zeroDurations(strip(await items(server, threadId)));
    assert.deepEqual(stored.map((item) => item.type), ["user_message", "workflow", "assistant_message"]);
    assert.deepEqual(stored[1], workflow(stored[1]!.id, "reasoning", [{ type: "thought", content: "Thinking", status_indicator: "none" }], { duration: 0 }, threadId));
  });

  test("a client tool pauses the turn; threads.add_client_tool_output resumes it with the call and its output in the model input", async () => {
    const model = new ScriptedModel([
      step(reasoning("r", "I need the selection."), toolCall("call_1", "get_selection", {})),
      step(reasoning("r", "Two nodes."), text("t", "You selected a and b.")),
    ]);
    const server = new AiServer(model, { tools: { get_selection: getSelection } });
    const first = await stream(server, create("What did I select?"), ctx);
    const threadId = createdThreadId(first);
    const last = first.at(-1)!;
    assert.ok(last.type === "thread.item.done" && last.item.type === "client_tool_call");
    assert.deepEqual(strip(last.item), { type: "client_tool_call", id: last.item.id, thread_id: threadId, status: "pending", call_id: "call_1", name: "get_selection", arguments: {} });
    assert.equal(model.doStreamCalls.length, 1, "the run stopped at the client tool");
    let stored = await items(server, threadId);
    assert.deepEqual(stored.map((item) => item.type), ["user_message", "workflow", "client_tool_call"]);
    const workflowId = stored[1]!.id;

    const second = await stream(server, { type: "threads.add_client_tool_output", params: { thread_id: threadId, result: { nodes: ["a", "b"] } } }, ctx);
    assert.deepEqual(json(model.prompt(1)), [
      userPrompt("What did I select?"),
      // The paused workflow's task, as the Agents bridge describes tasks (thoughts are left out).
      userPrompt("A message was displayed to the user that the following task was performed:\n<Task>\nget_selection\n</Task>"),
      { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_1", toolName: "get_selection", input: {} }] },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "get_selection", output: { type: "json", value: { nodes: ["a", "b"] } } }] },
    ]);
    // The paused workflow continues: the client's task completes, the new thought joins it, and it ends before the answer.
    const thoughts = [
      { type: "thought", content: "I need the selection.", status_indicator: "none" },
      task("get_selection", "complete"),
      { type: "thought", content: "Two nodes.", status_indicator: "none" },
    ];
    assert.deepEqual(
      zeroDurations(strip(second)).slice(1, 4),
      [
        { type: "thread.item.updated", item_id: workflowId, update: { type: "workflow.task.updated", task: task("get_selection", "complete"), task_index: 1 } },
        { type: "thread.item.updated", item_id: workflowId, update: { type: "workflow.task.added", task: thoughts[2], task_index: 2 } },
        { type: "thread.item.done", item: workflow(workflowId, "reasoning", thoughts, { duration: 0 }, threadId) },
      ],
    );
    stored = zeroDurations(strip(await items(server, threadId)));
    assert.deepEqual(stored.map((item) => item.type), ["user_message", "workflow", "client_tool_call", "assistant_message"]);
    assert.deepEqual(stored[1], workflow(workflowId, "reasoning", thoughts, { duration: 0 }, threadId));
    assert.equal(stored[2]!.type === "client_tool_call" && stored[2]!.status, "completed");
  });

  test("a provider error mid-stream ends the stream with an error event that allows a retry", async () => {
    const overloaded = new APICallError({ message: "Overloaded", url: "https://api.example", requestBodyValues: {}, statusCode: 529, isRetryable: true });
    const model = new ScriptedModel([[{ type: "text-start", id: "t" }, { type: "text-delta", id: "t", delta: "Hel" }, { type: "error", error: overloaded }, finish("error")]]);
    const server = new AiServer(model);
    const events = await stream(server, create("Hi"), ctx);
    assert.deepEqual(events.at(-1), { type: "error", code: "stream.error", allow_retry: true });
    assert.equal(events.at(-2)!.type === "thread.item.updated" && events.at(-2)!.type, "thread.item.updated");
    assert.equal(server.logger.errors.length, 1);
    assert.equal(server.logger.errors[0]![1], overloaded, "the server logs the provider's error");
  });

  for (const passSignal of [true, false]) {
    test(`Stop ${passSignal ? "aborts the model call" : "ends the turn at once even when the model call ignores it"}; the partial answer and the note are kept, and the next turn's model input holds both`, async () => {
      const model = new ScriptedModel([{ chunks: step(text("t", "Hel", "lo")), hangAt: 2 }, step(text("t", "OK."))]);
      const server = new AiServer(model, { passSignal });
      const controller = new AbortController();
      const result = await server.process(JSON.stringify(create("Hi")), ctx, { signal: controller.signal });
      assert.ok(result instanceof StreamingResult);
      const iterator = result[Symbol.asyncIterator]();
      const events: ThreadStreamEvent[] = [];
      for (;;) {
        const next = await iterator.next();
        assert.equal(next.done, false);
        const [event] = parseSse(decoder.decode(next.value as Uint8Array));
        events.push(event!);
        if (event!.type === "thread.item.updated" && event!.update.type === "assistant_message.content_part.text_delta") break;
      }
      // The user presses Stop while the server waits for the model's next chunk.
      const pending = iterator.next();
      await model.hung;
      controller.abort();
      assert.deepEqual(await pending, { done: true, value: undefined });
      assert.equal(events.some((e) => e.type === "error"), false, "no error event");
      assert.deepEqual(server.logger.warnings, [], "the response stopped without the grace period");
      assert.equal(model.doStreamCalls[0]!.abortSignal?.aborted ?? false, passSignal, "the provider request saw the abort when given the signal");
      const threadId = createdThreadId(events);

      // The next request on the thread waits for the cancellation's cleanup.
      await stream(server, addMessage(threadId, "Again"), ctx);
      const stored = await items(server, threadId);
      assert.deepEqual(stored.map((item) => item.type), ["user_message", "assistant_message", "sdk_hidden_context", "user_message", "assistant_message"]);
      assert.deepEqual(stored[1]!.type === "assistant_message" && stored[1]!.content, [{ type: "output_text", text: "Hel", annotations: [] }]);
      assert.deepEqual(json(model.prompt(1)), [userPrompt("Hi"), assistantPrompt("Hel"), hiddenPrompt(USER_CANCELLED_NOTE), userPrompt("Again")]);
    });
  }
});

interface Mounted {
  url: URL;
  close(): Promise<void>;
}

async function mountNode(server: AiServer): Promise<Mounted> {
  const handler = toNodeHandler(server, { context: () => ctx });
  const httpServer = http.createServer((req, res) => void handler(req, res));
  httpServer.listen(0, "127.0.0.1");
  await once(httpServer, "listening");
  const { port } = httpServer.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/chatkit`), close: () => closeServer(httpServer) };
}

async function mountFetch(server: AiServer): Promise<Mounted> {
  const handler = toFetchHandler<Ctx>(server, { context: () => ctx });
  const app = new Hono();
  app.post("/chatkit", (c) => handler(c.req.raw));
  const listening = deferred<AddressInfo>();
  const httpServer = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => listening.resolve(info)) as http.Server;
  const { port } = await listening.promise;
  return { url: new URL(`http://127.0.0.1:${port}/chatkit`), close: () => closeServer(httpServer) };
}

const closeServer = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** POSTs a streaming request over a real socket; resolves the SSE events seen until `stop`, then hangs up. */
function postAndHangUp(url: URL, body: unknown, stop: (event: ThreadStreamEvent) => boolean): Promise<ThreadStreamEvent[]> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers: { "content-type": "application/json" } }, (response) => {
      let buffer = "";
      const events: ThreadStreamEvent[] = [];
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        const frames = buffer.split("\n\n");
        buffer = frames.pop()!;
        for (const event of parseSse(frames.map((frame) => `${frame}\n\n`).join(""))) {
          events.push(event);
          if (stop(event)) {
            request.destroy(); // the user pressed Stop: the client closes the connection
            resolve(events);
            return;
          }
        }
      });
      response.on("error", () => {});
    });
    request.on("error", () => {});
    request.on("close", () => reject(new Error("closed before the expected event")));
    request.end(JSON.stringify(body));
  });
}

for (const [name, mount] of [["toNodeHandler", mountNode], ["toFetchHandler (Hono)", mountFetch]] as const) {
  describe(`Stop over a real socket (${name})`, () => {
    test("hanging up aborts the model call; the partial answer and the note are kept for the next turn", async () => {
      const model = new ScriptedModel([{ chunks: step(text("t", "Hel", "lo")), hangAt: 2 }, step(text("t", "OK."))]);
      const server = new AiServer(model);
      const app = await mount(server);
      try {
        const aborted = model.hung.then(
          (call) => new Promise<unknown>((resolve) => call.abortSignal!.addEventListener("abort", () => resolve(call.abortSignal!.reason), { once: true })),
        );
        const events = await postAndHangUp(app.url, create("Hi"), (event) => event.type === "thread.item.updated" && event.update.type === "assistant_message.content_part.text_delta");
        const threadId = createdThreadId(events);
        await aborted;
        assert.equal(model.doStreamCalls[0]!.abortSignal!.aborted, true);

        // The next request on the thread waits for the cancellation's cleanup.
        const next = await fetch(app.url, { method: "POST", body: JSON.stringify(addMessage(threadId, "Again")), headers: { "content-type": "application/json" } });
        assert.deepEqual(
          parseSse(await next.text()).map((event) => event.type),
          ["thread.item.done", "stream_options", "thread.item.added", "thread.item.updated", "thread.item.updated", "thread.item.updated", "thread.item.done"],
        );
        assert.deepEqual(json(model.prompt(1)), [userPrompt("Hi"), assistantPrompt("Hel"), hiddenPrompt(USER_CANCELLED_NOTE), userPrompt("Again")]);
      } finally {
        await app.close();
      }
    });
  });
}
