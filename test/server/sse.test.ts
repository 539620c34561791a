import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeEvent, type ThreadStreamEvent } from "../../src/index.js";
import { bytesFramer, textFramer, utf8Encoder } from "../../src/server/sse.js";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const generic = (event: unknown) => `data: ${JSON.stringify(event)}\n\n`;

test("the text-delta fast path writes exactly what JSON.stringify writes", () => {
  const deltas = ["Hel", "", ' "quoted" \\ back', "line\nbreak\ttab\r", "ünïcödé — 漢字 🎉", "\u0000\u001f\u2028\u2029", "</script>"];
  for (const delta of deltas) {
    for (const content_index of [0, 3, 120]) {
      const event: ThreadStreamEvent = {
        type: "thread.item.updated",
        item_id: 'msg_"odd"\nid',
        update: { type: "assistant_message.content_part.text_delta", content_index, delta },
      };
      assert.equal(decode(encodeEvent(event)), generic(event));
    }
  }
});

test("anything unusual takes the generic path", () => {
  const odd = {
    type: "thread.item.updated",
    item_id: "m",
    update: { type: "assistant_message.content_part.text_delta", content_index: 1.5, delta: "x" },
  } as ThreadStreamEvent;
  assert.equal(decode(encodeEvent(odd)), generic(odd));
  const other: ThreadStreamEvent = { type: "progress_update", text: "working" };
  assert.equal(decode(encodeEvent(other)), '{"type":"progress_update","text":"working"}'.replace(/^/, "data: ") + "\n\n");
});

test("frames are encoded by Node's pooled Buffer, byte for byte what TextEncoder gives", () => {
  const texts = ["data: plain\n\n", "ünïcödé — 漢字 🎉", "lone \ud800 high", "lone \udc00 low", "x".repeat(10_000), ""];
  const native = utf8Encoder();
  const fallback = utf8Encoder({});
  for (const text of texts) {
    assert.ok(Buffer.isBuffer(native(text)), "Node encodes with Buffer");
    assert.ok(!Buffer.isBuffer(fallback(text)) && fallback(text) instanceof Uint8Array, "without a Buffer, TextEncoder");
    assert.deepEqual(new Uint8Array(native(text)), new TextEncoder().encode(text), JSON.stringify(text));
    assert.deepEqual(fallback(text), new TextEncoder().encode(text), JSON.stringify(text));
  }
  const event: ThreadStreamEvent = { type: "progress_update", text: "working" };
  assert.ok(Buffer.isBuffer(encodeEvent(event)));
});

test("a Buffer without a pool (Bun's, slower than its TextEncoder) is not used", () => {
  const unpooled = { from: (text: string) => Buffer.alloc(Buffer.byteLength(text), text) };
  assert.ok(!Buffer.isBuffer(utf8Encoder({ Buffer: unpooled })("abc")));
});

test("a stream's framer, which reuses the head of the last delta's frame, still writes what JSON.stringify writes", () => {
  const deltaOf = (item_id: string, content_index: number, delta: string): ThreadStreamEvent => ({
    type: "thread.item.updated",
    item_id,
    update: { type: "assistant_message.content_part.text_delta", content_index, delta },
  });
  const events: ThreadStreamEvent[] = [
    deltaOf("a", 0, "one"),
    deltaOf("a", 0, "two"),
    deltaOf("a", 1, "three"),
    { type: "progress_update", text: "between" },
    deltaOf("a", 1, "four"),
    deltaOf("b", 1, "five"),
    deltaOf('"a"', 0, "six"),
    deltaOf("a", 0, "seven"),
  ];
  const text = textFramer();
  const bytes = bytesFramer();
  for (const event of events) {
    assert.equal(text(event), generic(event));
    assert.equal(decode(bytes(event)), generic(event));
  }
});
