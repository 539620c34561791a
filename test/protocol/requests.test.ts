import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ChatKitRequestSchema, ThreadItemSchema, ThreadStreamEventSchema } from "../../src/index.js";

const valid = (request: unknown) => ChatKitRequestSchema.safeParse(request).success;

describe("request validation (protocol.md case 70)", () => {
  test("rejects what Python rejects", () => {
    const rejected: unknown[] = [
      { type: "threads.list" },
      { type: "threads.list", params: { order: "ASC" } },
      { type: "items.feedback", params: { thread_id: "t", item_ids: [], kind: "neutral" } },
      { type: "threads.add_client_tool_output", params: { thread_id: "t" } },
      { type: "threads.update", params: { thread_id: "t", title: null } },
      { type: "attachments.create", params: { name: "a", size: 1.5, mime_type: "text/plain" } },
      { type: "threads.unknown", params: {} },
      { params: {} },
      { type: "threads.list", params: {}, metadata: null },
      { type: "input.transcribe", params: { audio_base64: "not base64!", mime_type: "audio/ogg" } },
    ];
    for (const request of rejected) assert.equal(valid(request), false, JSON.stringify(request));
  });

  test("accepts what a valid client sends, leniently", () => {
    const accepted: unknown[] = [
      { type: "threads.list", params: {} },
      { type: "threads.list", params: { limit: "5" }, extra: true },
      { type: "attachments.create", params: { name: "a", size: 2.0, mime_type: "text/plain" } },
      { type: "threads.add_structured_input", params: { thread_id: "t", item_id: "i", input: {} } },
      { type: "threads.add_client_tool_output", params: { thread_id: "t", result: null } },
      { type: "threads.create", params: { input: { content: [{ type: "input_tag", id: "d", text: "Doc" }] } } },
      { type: "threads.update", params: { thread_id: "t", title: "" } },
    ];
    for (const request of accepted) assert.equal(valid(request), true, JSON.stringify(request));
  });

  test("defaults and coercions are applied; unknown fields dropped", () => {
    const list = ChatKitRequestSchema.parse({ type: "threads.list", params: { limit: "5", bogus: 1 } });
    assert.deepEqual(list, { type: "threads.list", params: { limit: 5, order: "desc" }, metadata: {} });
    const tag = ChatKitRequestSchema.parse({ type: "threads.create", params: { input: { content: [{ type: "input_tag", id: "d", text: "Doc" }], quoted_text: null } } });
    assert.ok(tag.type === "threads.create");
    assert.deepEqual(tag.params.input.content, [{ type: "input_tag", id: "d", text: "Doc", data: {}, interactive: false }]);
    assert.deepEqual(tag.params.input.attachments, []);
    assert.deepEqual(tag.params.input.inference_options, {});
    assert.equal(JSON.stringify(tag).includes("null"), false);
    const action = ChatKitRequestSchema.parse({ type: "threads.custom_action", params: { thread_id: "t", action: { type: "go", handler: "server", streaming: true } } });
    assert.ok(action.type === "threads.custom_action");
    assert.deepEqual(action.params.action, { type: "go", payload: null });
  });
});

describe("stored data with Python's nulls parses to absent fields", () => {
  test("items and events", () => {
    const item = ThreadItemSchema.parse({
      type: "user_message", id: "m", thread_id: "t", created_at: "2025-01-02T03:04:05.123456",
      content: [{ type: "input_text", text: "x" }], attachments: [], quoted_text: null, inference_options: { tool_choice: null, model: null },
    });
    assert.equal(JSON.stringify(item), '{"type":"user_message","id":"m","thread_id":"t","created_at":"2025-01-02T03:04:05.123456","content":[{"type":"input_text","text":"x"}],"attachments":[],"inference_options":{}}');
    const event = ThreadStreamEventSchema.parse({ type: "error", message: null });
    assert.deepEqual(JSON.parse(JSON.stringify(event)), { type: "error", code: "custom", allow_retry: false });
    const tool = ThreadItemSchema.parse({ type: "client_tool_call", id: "c", thread_id: "t", created_at: "x", call_id: "1", name: "n", arguments: { a: null }, output: null });
    assert.equal(JSON.stringify(tool), '{"type":"client_tool_call","id":"c","thread_id":"t","created_at":"x","status":"pending","call_id":"1","name":"n","arguments":{"a":null}}');
  });
});
