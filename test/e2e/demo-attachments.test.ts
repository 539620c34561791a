/**
 * The demo agent receives attachments: their bytes are read from the demo's LocalAttachmentStore
 * and sent inline (`localAttachmentSource`), never as the `localhost` preview URL a model could
 * not fetch. Runs the real agent responder over HTTP with a scripted model; no model API is called.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTracingDisabled } from "@openai/agents";
import { agentResponder } from "../../examples/demo/agent-responder.js";
import { localAttachmentSource } from "../../examples/demo/attachment-source.js";
import { startDemo, type RunningDemo } from "../../examples/demo/demo-server.js";
import { ThreadItemConverter } from "../../src/agents/index.js";
import type { UserMessageItem } from "../../src/index.js";
import { PNG } from "../attachments/support.js";
import { messageAdded, messageDone, outputText, partAdded, responsesTurn, ScriptedModel, textDelta, textDone } from "../agents/fake-model.js";
import { MemoryLogger, parseSse } from "../support/helpers.js";

setTracingDisabled(true); // no trace export to OpenAI from a test

const dataUrl = (bytes: Uint8Array, type: string) => `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;

describe("demo agent: attachments reach the model inline", () => {
  let demo: RunningDemo;
  let dataDir: string;
  const model = new ScriptedModel([
    responsesTurn([messageAdded("m1"), partAdded("m1"), textDelta("m1", "A tiny PNG."), textDone("m1", "A tiny PNG."), messageDone("m1", [outputText("A tiny PNG.")])]),
  ]);
  const post = (body: unknown) => fetch(`${demo.url}/chatkit`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  /** `attachments.create`, then the multipart upload; returns the attachment id. */
  async function upload(bytes: Uint8Array, name: string, type: string): Promise<string> {
    const created = await post({ type: "attachments.create", params: { name, size: bytes.byteLength, mime_type: type } });
    assert.equal(created.status, 200);
    const { id, upload_descriptor } = (await created.json()) as { id: string; upload_descriptor: { url: string } };
    const form = new FormData();
    form.append("file", new Blob([bytes], { type }), name);
    assert.equal((await fetch(upload_descriptor.url, { method: "POST", body: form })).status, 200);
    return id;
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "chatkit-demo-agent-"));
    demo = await startDemo({ port: 0, dataDir, responder: agentResponder({ model }), logger: new MemoryLogger() });
  });
  after(async () => {
    await demo.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("an uploaded image is in the model's input as an input_image with the exact data URL of its bytes", async () => {
    const id = await upload(PNG, "photo.png", "image/png");
    const response = await post({
      type: "threads.create",
      params: { input: { content: [{ type: "input_text", text: "What is this?" }], attachments: [id], inference_options: {} } },
    });
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    const answer = events.find((event) => event.type === "thread.item.done" && event.item.type === "assistant_message");
    assert.ok(answer?.type === "thread.item.done" && answer.item.type === "assistant_message", JSON.stringify(events));
    assert.equal(answer.item.content[0]?.text, "A tiny PNG.");

    assert.equal(model.calls.length, 1);
    const input = model.calls[0]!.request.input as Array<Record<string, unknown>>;
    assert.deepEqual(input, [
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image: dataUrl(PNG, "image/png"), detail: "auto" },
        ],
      },
    ]);
  });

  test("localAttachmentSource sends other files as input_file data with their name", async () => {
    const bytes = new TextEncoder().encode("a,b\n1,2\n");
    const id = await upload(bytes, "table.csv", "text/csv");
    const converter = new ThreadItemConverter({ attachmentSource: localAttachmentSource(demo.attachments, { userId: "demo" }) });
    const message: UserMessageItem = {
      type: "user_message",
      id: "msg_1",
      thread_id: "thr_1",
      created_at: new Date().toISOString(),
      content: [{ type: "input_text", text: "Sum it" }],
      attachments: [{ type: "file", id, name: "table.csv", mime_type: "text/csv" }],
      inference_options: {},
    };
    assert.deepEqual(await converter.toAgentInput([message]), [
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "Sum it" },
          { type: "input_file", file: dataUrl(bytes, "text/csv"), filename: "table.csv" },
        ],
      },
    ]);
    // An attachment whose bytes never arrived is an error, not an empty file.
    await assert.rejects(
      converter.toAgentInput([{ ...message, attachments: [{ type: "file", id: "atc_missing", name: "x.csv", mime_type: "text/csv" }] }]),
      /Attachment not found: atc_missing/,
    );
  });
});
