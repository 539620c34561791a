import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeEvent, type ThreadStreamEvent } from "../../src/index.js";

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
