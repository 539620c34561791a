import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ThreadStreamEventSchema } from "../../src/index.js";
import { InvalidEventError, validateEvent } from "../../src/server/event-validation.js";

const delta = (update: Record<string, unknown>, itemId: unknown = "msg_1") => ({
  type: "thread.item.updated",
  item_id: itemId,
  update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Hi", ...update },
});

describe("validateEvent", () => {
  test("the hand check of text deltas accepts and refuses exactly what the schema does", () => {
    const cases = [
      delta({}),
      delta({ delta: "" }),
      delta({ content_index: 3 }),
      delta({ content_index: -1 }),
      delta({ content_index: 1.5 }),
      delta({ content_index: "0" }),
      delta({ delta: 42 }),
      delta({ delta: "a\u0000b" }),
      delta({ delta: "cut \ud83d" }),
      delta({ delta: "whole 😀" }),
      delta({}, "msg_\u0000"),
      delta({}, 7),
      delta({ extra: "stripped" }),
      { ...delta({}), extra: true },
      { type: "thread.item.updated", item_id: "msg_1" },
      { type: "thread.item.updated", item_id: "msg_1", update: null },
    ];
    for (const event of cases) {
      const expected = ThreadStreamEventSchema.safeParse(event).success;
      let accepted: boolean;
      try {
        validateEvent(event);
        accepted = true;
      } catch (error) {
        assert.ok(error instanceof InvalidEventError, String(error));
        accepted = false;
      }
      assert.equal(accepted, expected, JSON.stringify(event));
    }
  });

  test("a refused event names its fields", () => {
    assert.throws(() => validateEvent(delta({ delta: "a\u0000b" })), /update\.delta: contains U\+0000/);
    assert.throws(() => validateEvent({ type: "progress_update" }), /^InvalidEventError: Invalid event from the response handler: text: /);
  });
});
