/**
 * The demo server over real HTTP, without a browser: the offline responder's exact event
 * sequence, Stop (a closed connection) keeping the partial answer, the widget action, the 400 for
 * a bad body, and the two HTML pages.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startDemo, type RunningDemo } from "../../examples/demo/demo-server.js";
import { OFFLINE_TASKS, offlineAnswer, offlineResponder, offlineWidget, wordDeltas } from "../../examples/demo/offline-responder.js";
import type { ThreadStreamEvent } from "../../src/index.js";
import { MemoryLogger, parseSse } from "../support/helpers.js";

const input = (text: string) => ({ content: [{ type: "input_text", text }], attachments: [], inference_options: {} });

/** `type`, plus the item type or update type that tells events of one type apart. */
function kind(event: ThreadStreamEvent): string {
  if (event.type === "thread.item.updated") return `${event.type}:${event.update.type}`;
  if ("item" in event) return `${event.type}:${event.item.type}`;
  return event.type;
}

/** Event kinds with each run of text deltas collapsed to one entry (their count is asserted apart). */
function kinds(events: ThreadStreamEvent[]): string[] {
  return events.map(kind).filter((value, index, all) => !(value.endsWith("text_delta") && all[index - 1] === value));
}

const deltasOf = (events: ThreadStreamEvent[]) =>
  events.flatMap((event) => (event.type === "thread.item.updated" && event.update.type === "assistant_message.content_part.text_delta" ? [event.update.delta] : []));

describe("demo server (offline responder over HTTP)", () => {
  let demo: RunningDemo;
  let dataDir: string;
  const logger = new MemoryLogger();
  const post = (body: unknown, init: RequestInit = {}) =>
    fetch(`${demo.url}/chatkit`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), ...init });
  const json = async (body: unknown) => (await post(body)).json() as Promise<any>;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-demo-"));
    demo = await startDemo({ port: 0, dataDir, responder: offlineResponder({ wordDelayMs: 0, taskDelayMs: 0 }), logger });
  });
  after(async () => {
    await demo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("threads.create streams workflow, markdown answer and widget, in this exact order", async () => {
    const response = await post({ type: "threads.create", params: { input: input("Hello there") } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = parseSse(await response.text());

    const taskEvents = OFFLINE_TASKS.flatMap(() => ["thread.item.updated:workflow.task.added", "thread.item.updated:workflow.task.updated"]);
    assert.deepEqual(kinds(events), [
      "thread.created",
      "thread.item.done:user_message",
      "stream_options",
      "thread.item.added:workflow",
      "thread.updated", // the title, set before the first event, announced right after it
      ...taskEvents,
      "thread.item.done:workflow",
      "thread.item.added:assistant_message",
      "thread.item.updated:assistant_message.content_part.added",
      "thread.item.updated:assistant_message.content_part.text_delta",
      "thread.item.updated:assistant_message.content_part.done",
      "thread.item.done:assistant_message",
      "thread.item.done:widget",
    ]);

    const answer = offlineAnswer("Hello there");
    assert.deepEqual(deltasOf(events), wordDeltas(answer));
    assert.ok(wordDeltas(answer).length > 150, "long enough to press Stop mid-answer");

    const updated = events.find((event) => event.type === "thread.updated");
    assert.equal(updated?.type === "thread.updated" && updated.thread.title, "Hello there");
    const workflow = events.find((event) => event.type === "thread.item.done" && event.item.type === "workflow");
    assert.ok(workflow?.type === "thread.item.done" && workflow.item.type === "workflow");
    assert.deepEqual(workflow.item.workflow.tasks.map((task) => [task.title, task.status_indicator]), OFFLINE_TASKS.map((title) => [title, "complete"]));
    assert.deepEqual(workflow.item.workflow.summary, { duration: 1 });
    const message = events.at(-2);
    assert.ok(message?.type === "thread.item.done" && message.item.type === "assistant_message");
    assert.deepEqual(message.item.content, [{ type: "output_text", text: answer, annotations: [] }]);
    const widget = events.at(-1);
    assert.ok(widget?.type === "thread.item.done" && widget.item.type === "widget");
    assert.deepEqual(widget.item.widget, offlineWidget("Hello there"));

    // Everything was stored, in order, under the title.
    const threadId = events[0]?.type === "thread.created" ? events[0].thread.id : "";
    const thread = await json({ type: "threads.get_by_id", params: { thread_id: threadId } });
    assert.equal(thread.title, "Hello there");
    assert.deepEqual(thread.items.data.map((item: { type: string }) => item.type), ["user_message", "workflow", "assistant_message", "widget"]);
    assert.equal(thread.items.data[2].content[0].text, answer);
  });

  test("the widget's button action answers with an assistant message", async () => {
    const created = parseSse(await (await post({ type: "threads.create", params: { input: input("Widget please") } })).text());
    const threadId = created[0]?.type === "thread.created" ? created[0].thread.id : "";
    const widget = created.at(-1);
    assert.ok(widget?.type === "thread.item.done");
    const events = parseSse(
      await (await post({ type: "threads.custom_action", params: { thread_id: threadId, item_id: widget.item.id, action: { type: "demo.hello", payload: { from: "widget" } } } })).text(),
    );
    assert.deepEqual(events.map(kind), ["stream_options", "thread.item.done:assistant_message"]);
    const done = events[1];
    assert.ok(done?.type === "thread.item.done" && done.item.type === "assistant_message");
    assert.equal(done.item.content[0]?.text, "Hello from the widget button! 👋");
  });

  test("an invalid body answers 400 with an error, and nothing is stored", async () => {
    const before = await json({ type: "threads.list", params: {} });
    for (const body of ["{not json", JSON.stringify({ type: "threads.create" }), JSON.stringify({ type: "nope", params: {} })]) {
      const response = await post(body);
      assert.equal(response.status, 400, body);
      const error = (await response.json()) as { error: string };
      assert.equal(typeof error.error, "string");
    }
    assert.deepEqual(await json({ type: "threads.list", params: {} }), before);
  });

  test("GET / serves the ChatKit web component page, /playground the offline playground", async () => {
    const index = await fetch(`${demo.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type") ?? "", /^text\/html/);
    const indexHtml = await index.text();
    assert.ok(indexHtml.includes('src="https://cdn.platform.openai.com/deployments/chatkit/chatkit.js"'));
    assert.ok(indexHtml.includes("<openai-chatkit"));
    assert.match(indexHtml, /setOptions\(\{\s*api: \{ url: "\/chatkit", domainKey: "local-dev" \}/);

    const playground = await fetch(`${demo.url}/playground`);
    assert.equal(playground.status, 200);
    assert.match(playground.headers.get("content-type") ?? "", /^text\/html/);
    const html = await playground.text();
    assert.ok(html.includes('data-testid="event-log"'));
    assert.doesNotMatch(html, /<(script|link)[^>]+(src|href)="https?:/, "the playground loads nothing from the network");

    assert.equal((await fetch(`${demo.url}/nope`)).status, 404);
    assert.equal((await fetch(`${demo.url}/chatkit`)).status, 405);
  });
});

describe("demo server: Stop over HTTP", () => {
  test("closing the connection mid-answer keeps the partial answer, and the thread answers again", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-demo-"));
    const demo = await startDemo({ port: 0, dataDir, responder: offlineResponder({ wordDelayMs: 5, taskDelayMs: 0 }), logger: new MemoryLogger() });
    try {
      const post = (body: unknown, init: RequestInit = {}) => fetch(`${demo.url}/chatkit`, { method: "POST", body: JSON.stringify(body), ...init });
      const controller = new AbortController();
      const response = await post({ type: "threads.create", params: { input: input("Stop me") } }, { signal: controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      // Read until ten words of the answer arrived, then hang up, as the playground's Stop does.
      while (deltasOf(parseSse(text)).length < 10) text += decoder.decode((await reader.read()).value, { stream: true });
      controller.abort();
      await reader.cancel().catch(() => {});
      const threadId = parseSse(text)[0]?.type === "thread.created" ? (parseSse(text)[0] as { thread: { id: string } }).thread.id : "";

      // The partial answer is stored by the cancellation cleanup, which runs after the hang-up.
      let items: Array<{ type: string; content?: Array<{ text: string }> }> = [];
      for (let attempt = 0; attempt < 100 && !items.some((item) => item.type === "assistant_message"); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        items = ((await (await post({ type: "threads.get_by_id", params: { thread_id: threadId } })).json()) as any).items.data;
      }
      assert.deepEqual(items.map((item) => item.type), ["user_message", "workflow", "assistant_message"]);
      const partial = items[2]!.content![0]!.text;
      const full = offlineAnswer("Stop me");
      assert.ok(partial.length > 0 && partial.length < full.length && full.startsWith(partial), partial);

      // The next message waits for the cleanup, then gets a full answer.
      const next = parseSse(await (await post({ type: "threads.add_user_message", params: { thread_id: threadId, input: input("Again") } })).text());
      const done = next.find((event) => event.type === "thread.item.done" && event.item.type === "assistant_message");
      assert.ok(done?.type === "thread.item.done" && done.item.type === "assistant_message");
      assert.equal(done.item.content[0]?.text, offlineAnswer("Again"));
    } finally {
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
