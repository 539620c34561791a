/**
 * The demo server over real HTTP, without a browser: the offline responder's exact event
 * sequence, Stop (a closed connection) keeping the partial answer, the widget action, the 400 for
 * a bad body, the two HTML pages, and attachments (a two-phase upload the answer mentions, and
 * refused uploads that leave no file behind).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startDemo, type RunningDemo } from "../../examples/demo/demo-server.js";
import { OFFLINE_TASKS, offlineAnswer, offlineResponder, offlineWidget, wordDeltas } from "../../examples/demo/offline-responder.js";
import type { ThreadStreamEvent } from "../../src/index.js";
import { MemoryLogger, parseSse } from "../support/helpers.js";
import { PNG } from "../attachments/support.js";

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
    fetch(`${demo.url}/chatkit`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" }, ...init });
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
    assert.match(indexHtml, /setOptions\(\{\s*api: \{ url: "\/chatkit", domainKey: "local-dev", uploadStrategy: \{ type: "two_phase" \} \},\s*composer: \{ attachments: \{ enabled: true \} \},/);

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
      const post = (body: unknown, init: RequestInit = {}) =>
        fetch(`${demo.url}/chatkit`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, ...init });
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

/** The files under `<dataDir>/attachments`, the preview key excepted (none when it does not exist). */
async function attachmentFiles(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dataDir, "attachments"))).filter((name) => name !== ".preview-secret").sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** A multipart body with a `file` field, as ChatKit (and the playground) upload. */
function fileForm(bytes: Uint8Array, name: string, type: string): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type }), name);
  return form;
}

describe("demo server: attachments over HTTP", () => {
  let demo: RunningDemo;
  let dataDir: string;
  const post = (body: unknown) => fetch(`${demo.url}/chatkit`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-demo-"));
    demo = await startDemo({ port: 0, dataDir, responder: offlineResponder({ wordDelayMs: 0, taskDelayMs: 0 }), logger: new MemoryLogger() });
  });
  after(async () => {
    await demo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("two-phase upload of a PNG: the message carries it, its preview serves the bytes, the answer names it", async () => {
    const created = await post({ type: "attachments.create", params: { name: "photo.png", size: PNG.byteLength, mime_type: "image/png" } });
    assert.equal(created.status, 200);
    const attachment = (await created.json()) as { id: string; preview_url: string; upload_descriptor: { url: string } };
    const { id } = attachment;
    // URLs on the demo's own origin (port 0 resolved), under /chatkit/attachments.
    assert.deepEqual(attachment, {
      type: "image",
      id,
      name: "photo.png",
      mime_type: "image/png",
      preview_url: attachment.preview_url,
      upload_descriptor: { url: `${demo.url}/chatkit/attachments/${id}/upload`, method: "POST", headers: {} },
    });
    assert.ok(attachment.preview_url.startsWith(`${demo.url}/chatkit/attachments/${id}/preview?token=`), attachment.preview_url);
    assert.equal((await fetch(attachment.preview_url)).status, 404, "no bytes before the upload");

    const uploaded = await fetch(attachment.upload_descriptor.url, { method: "POST", body: fileForm(PNG, "photo.png", "image/png") });
    assert.equal(uploaded.status, 200);
    const { upload_descriptor: _descriptor, ...wire } = attachment;
    assert.deepEqual(await uploaded.json(), wire);
    const key = createHash("sha256").update(id).digest("hex");
    assert.deepEqual(await attachmentFiles(dataDir), [`${key}.bin`, `${key}.json`]);

    const question = "What is in this picture?";
    const response = await post({ type: "threads.create", params: { input: { ...input(question), attachments: [id] } } });
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    const threadId = events[0]?.type === "thread.created" ? events[0].thread.id : "";
    const user = events[1];
    assert.ok(user?.type === "thread.item.done" && user.item.type === "user_message");
    assert.deepEqual(user.item.attachments, [{ ...wire, thread_id: threadId }]);

    const answer = events.find((event) => event.type === "thread.item.done" && event.item.type === "assistant_message");
    assert.ok(answer?.type === "thread.item.done" && answer.item.type === "assistant_message");
    const text = answer.item.content[0]?.text ?? "";
    assert.equal(text, offlineAnswer(question, [{ name: "photo.png", mime_type: "image/png" }]));
    assert.ok(text.includes("You attached: photo.png (image/png)."), text);

    // Stored with the message, and the preview serves exactly the uploaded bytes.
    const thread = (await (await post({ type: "threads.get_by_id", params: { thread_id: threadId } })).json()) as any;
    assert.deepEqual(thread.items.data[0].attachments, [{ ...wire, thread_id: threadId }]);
    const preview = await fetch(attachment.preview_url);
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get("content-type"), "image/png");
    assert.deepEqual(new Uint8Array(await preview.arrayBuffer()), PNG);
    assert.deepEqual(await demo.attachments.read(id, { userId: "demo" }), PNG);

    // Deleting the thread deletes its attachment's files.
    assert.equal((await post({ type: "threads.delete", params: { thread_id: threadId } })).status, 200);
    assert.deepEqual(await attachmentFiles(dataDir), []);
    assert.equal((await fetch(attachment.preview_url)).status, 404);
  });

  test("refused uploads (wrong type 415, too large 413) leave no file under DATA_DIR/attachments", async () => {
    const before = await attachmentFiles(dataDir);
    assert.deepEqual(before, []);

    // A type the store does not accept, refused before any upload URL exists.
    const html = await post({ type: "attachments.create", params: { name: "page.html", size: 10, mime_type: "text/html" } });
    assert.equal(html.status, 415);
    assert.deepEqual(await html.json(), { error: "Attachments of type text/html are not accepted" });

    // Declared a PNG, sent HTML: refused as the bytes arrive.
    const png = (await (await post({ type: "attachments.create", params: { name: "photo.png", size: PNG.byteLength, mime_type: "image/png" } })).json()) as {
      id: string;
      preview_url: string;
      upload_descriptor: { url: string };
    };
    const wrongType = await fetch(png.upload_descriptor.url, { method: "POST", body: fileForm(PNG, "photo.html", "text/html") });
    assert.equal(wrongType.status, 415);
    assert.deepEqual(await wrongType.json(), { error: "Upload is text/html, but image/png was declared" });

    // More bytes than declared.
    const tooLarge = await fetch(png.upload_descriptor.url, { method: "POST", body: fileForm(new Uint8Array(PNG.byteLength + 1), "photo.png", "image/png") });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(await tooLarge.json(), { error: `Upload is larger than ${PNG.byteLength} bytes` });

    // Over the store's 20 MB maximum, declared.
    const huge = await post({ type: "attachments.create", params: { name: "huge.png", size: 20 * 1024 * 1024 + 1, mime_type: "image/png" } });
    assert.equal(huge.status, 413);

    assert.deepEqual(await attachmentFiles(dataDir), []);
    assert.equal((await fetch(png.preview_url)).status, 404);
    // A message cannot use the never-uploaded attachment's bytes either: the model would find none.
    await assert.rejects(demo.attachments.read(png.id, { userId: "demo" }), /Attachment not found/);
  });
});
