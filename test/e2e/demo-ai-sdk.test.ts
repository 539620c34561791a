/**
 * The demo's AI SDK responder receives attachments as their bytes, read from the demo's
 * LocalAttachmentStore — never as the `localhost` preview URL a model could not fetch. Runs over
 * HTTP with a mock model; no model API is called.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { aiSdkResponder } from "../../examples/demo/ai-sdk-responder.js";
import { startDemo, type RunningDemo } from "../../examples/demo/demo-server.js";
import { PNG } from "../attachments/support.js";
import { ScriptedModel, step, text } from "../ai/mock-model.js";
import { MemoryLogger, parseSse } from "../support/helpers.js";

describe("demo AI SDK responder: attachments reach the model inline", () => {
  let demo: RunningDemo;
  let dataDir: string;
  const model = new ScriptedModel([step(text("t", "A tiny ", "PNG."))]);
  const post = (body: unknown) => fetch(`${demo.url}/chatkit`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-demo-ai-sdk-"));
    demo = await startDemo({ port: 0, dataDir, responder: aiSdkResponder(model), logger: new MemoryLogger() });
  });
  after(async () => {
    await demo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("an uploaded image is in the model's input as an image file part holding its bytes", async () => {
    const created = await post({ type: "attachments.create", params: { name: "photo.png", size: PNG.byteLength, mime_type: "image/png" } });
    const { id, upload_descriptor } = (await created.json()) as { id: string; upload_descriptor: { url: string } };
    const form = new FormData();
    form.append("file", new Blob([PNG], { type: "image/png" }), "photo.png");
    assert.equal((await fetch(upload_descriptor.url, { method: "POST", body: form })).status, 200);

    const response = await post({
      type: "threads.create",
      params: { input: { content: [{ type: "input_text", text: "What is this?" }], attachments: [id], inference_options: {} } },
    });
    const events = parseSse(await response.text());
    const answer = events.find((event) => event.type === "thread.item.done" && event.item.type === "assistant_message");
    assert.ok(answer?.type === "thread.item.done" && answer.item.type === "assistant_message", JSON.stringify(events));
    assert.equal(answer.item.content[0]?.text, "A tiny PNG.");

    const [message] = model.prompt(0).filter((m) => m.role === "user");
    assert.ok(message && Array.isArray(message.content));
    const [question, image] = message.content as Array<{ type: string; text?: string; mediaType?: string; data?: unknown; filename?: string }>;
    assert.deepEqual(question, { type: "text", text: "What is this?", providerOptions: undefined });
    assert.equal(image?.type, "file");
    assert.equal(image?.mediaType, "image/png");
    assert.equal(image?.filename, "photo.png");
    assert.deepEqual(Buffer.from(image?.data as Uint8Array), Buffer.from(PNG));
  });
});
