import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ChatKitRequestSchema,
  RequestError,
  ThreadItemSchema,
  ThreadMetadataSchema,
  ThreadStreamEventSchema,
} from "../../src/index.js";
import { parseRequest } from "../../src/server/parse-request.js";

const NUL = "\u0000";
const HALF_EMOJI = "😀".slice(0, 1); // "\ud83d": a browser cut an emoji in half

/** The 400 message `parseRequest` gives for `body`. */
function refusal(body: string | Uint8Array): string {
  try {
    parseRequest(body);
  } catch (error) {
    assert.ok(error instanceof RequestError, String(error));
    assert.equal(error.status, 400);
    return error.message;
  }
  assert.fail("the request was accepted");
}

const userText = (text: string) => ({ content: [{ type: "input_text", text }] });

describe("text rule: NUL and lone surrogates are refused, naming the field", () => {
  test("in ids", () => {
    assert.equal(
      refusal(JSON.stringify({ type: "threads.get_by_id", params: { thread_id: `thr_${NUL}` } })),
      "Invalid request: params.thread_id: contains U+0000 (NUL)",
    );
    assert.match(
      refusal(JSON.stringify({ type: "items.feedback", params: { thread_id: "thr_1", item_ids: ["msg_1", `msg_${HALF_EMOJI}`], kind: "positive" } })),
      /^Invalid request: params\.item_ids\.1: contains a lone surrogate/,
    );
  });

  test("in message text, titles and attachment names", () => {
    assert.match(
      refusal(JSON.stringify({ type: "threads.create", params: { input: userText(`hi ${HALF_EMOJI}`) } })),
      /^Invalid request: params\.input\.content\.0\.text: contains a lone surrogate \(half of a UTF-16 pair, e\.g\. an emoji cut in two\)/,
    );
    assert.equal(
      refusal(JSON.stringify({ type: "threads.update", params: { thread_id: "thr_1", title: `a${NUL}b` } })),
      "Invalid request: params.title: contains U+0000 (NUL)",
    );
    assert.equal(
      refusal(JSON.stringify({ type: "attachments.create", params: { name: `${NUL}.png`, size: 1, mime_type: "image/png" } })),
      "Invalid request: params.name: contains U+0000 (NUL)",
    );
  });

  test("anywhere in free-form JSON, keys included", () => {
    const tag = (data: unknown) =>
      JSON.stringify({ type: "threads.create", params: { input: { content: [{ type: "input_tag", id: "t", text: "T", data }] } } });
    assert.equal(refusal(tag({ a: [1, { b: `x${NUL}` }] })), "Invalid request: params.input.content.0.data.a.1.b: contains U+0000 (NUL)");
    assert.match(refusal(tag({ [`k${HALF_EMOJI}`]: 1 })), /^Invalid request: params\.input\.content\.0\.data: a key contains a lone surrogate/);
    assert.equal(
      refusal(JSON.stringify({ type: "threads.add_client_tool_output", params: { thread_id: "thr_1", result: [[`${NUL}`]] } })),
      "Invalid request: params.result.0.0: contains U+0000 (NUL)",
    );
    assert.equal(
      refusal(JSON.stringify({ type: "threads.list", params: {}, metadata: { note: NUL } })),
      "Invalid request: metadata.note: contains U+0000 (NUL)",
    );
    assert.equal(
      refusal(JSON.stringify({ type: "threads.custom_action", params: { thread_id: "thr_1", action: { type: "go", payload: { x: NUL } } } })),
      "Invalid request: params.action.payload.x: contains U+0000 (NUL)",
    );
  });

  test("invalid UTF-8 in the body is refused, not silently replaced", () => {
    const json = JSON.stringify({ type: "threads.create", params: { input: userText("caf__") } });
    const bytes = new TextEncoder().encode(json);
    const at = json.indexOf("__");
    bytes[at] = 0xc3; // a two-byte sequence cut short
    bytes[at + 1] = 0x28;
    assert.equal(refusal(bytes), "Invalid request: the body is not valid UTF-8");
    // An encoded lone surrogate (CESU-8) is invalid UTF-8 too.
    assert.equal(refusal(new Uint8Array([...new TextEncoder().encode('{"type":"threads.list","params":{},"metadata":{"a":"'), 0xed, 0xa0, 0xbd, 0x22, 0x7d, 0x7d])), "Invalid request: the body is not valid UTF-8");
  });

  test("well-formed text is kept exactly: emoji, U+FFFD, noncharacters, controls, separators", () => {
    const awkward = "😀 👩‍👩‍👧 \uFFFD \uFFFF \u0001 \u2028 \u202E RTL e\u0301 𝔘";
    const request = parseRequest(JSON.stringify({ type: "threads.create", params: { input: userText(awkward) } }));
    assert.ok(request.type === "threads.create");
    assert.deepEqual(request.params.input.content, [{ type: "input_text", text: awkward }]);
    const bytes = new TextEncoder().encode(JSON.stringify({ type: "threads.update", params: { thread_id: "thr_😀", title: awkward } }));
    assert.deepEqual(parseRequest(bytes), { type: "threads.update", params: { thread_id: "thr_😀", title: awkward }, metadata: {} });
  });
});

describe("text rule in the schemas of what a server sends and stores", () => {
  const item = { type: "assistant_message", id: "msg_1", thread_id: "thr_1", created_at: "2025-01-01T00:00:00Z", content: [{ type: "output_text", text: "ok", annotations: [] }] };

  const firstIssue = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
    assert.equal(result.success, false);
    const issue = result.error!.issues[0]!;
    return `${issue.path.map(String).join(".")}: ${issue.message}`;
  };

  test("items, widgets, hidden context and thread metadata", () => {
    assert.equal(ThreadItemSchema.safeParse(item).success, true);
    assert.equal(
      firstIssue(ThreadItemSchema.safeParse({ ...item, content: [{ type: "output_text", text: `x${NUL}`, annotations: [] }] })),
      "content.0.text: contains U+0000 (NUL)",
    );
    const widget = { type: "widget", id: "w", thread_id: "thr_1", created_at: "2025-01-01T00:00:00Z", widget: { type: "Card", children: [{ type: "Text", value: HALF_EMOJI }] } };
    assert.match(firstIssue(ThreadItemSchema.safeParse(widget)), /^widget\.children\.0\.value: contains a lone surrogate/);
    const hidden = { type: "hidden_context_item", id: "h", thread_id: "thr_1", created_at: "2025-01-01T00:00:00Z", content: { notes: [NUL] } };
    assert.equal(firstIssue(ThreadItemSchema.safeParse(hidden)), "content.notes.0: contains U+0000 (NUL)");
    assert.equal(
      firstIssue(ThreadMetadataSchema.safeParse({ id: "thr_1", created_at: "2025-01-01T00:00:00Z", title: `t${NUL}` })),
      "title: contains U+0000 (NUL)",
    );
  });

  test("stream events, text deltas included", () => {
    const delta = (text: string) => ({
      type: "thread.item.updated",
      item_id: "msg_1",
      update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: text },
    });
    assert.equal(ThreadStreamEventSchema.safeParse(delta("fine 😀")).success, true);
    assert.match(firstIssue(ThreadStreamEventSchema.safeParse(delta(HALF_EMOJI))), /^update\.delta: contains a lone surrogate/);
    assert.equal(
      firstIssue(ThreadStreamEventSchema.safeParse({ type: "client_effect", name: "e", data: { [NUL]: 1 } })),
      "data: a key contains U+0000 (NUL)",
    );
  });

  test("a cyclic or very deep value is walked without recursion", () => {
    const cyclic: Record<string, unknown> = { a: "ok" };
    cyclic.self = cyclic;
    assert.equal(ChatKitRequestSchema.safeParse({ type: "threads.list", params: {}, metadata: cyclic }).success, true);
    let deep: unknown = NUL;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const result = ChatKitRequestSchema.safeParse({ type: "threads.list", params: {}, metadata: { deep } });
    assert.equal(result.success, false);
    assert.equal(result.error!.issues[0]!.message, "contains U+0000 (NUL)");
    assert.equal(result.error!.issues[0]!.path.length, 100_002);
  });
});
