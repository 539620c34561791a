import assert from "node:assert/strict";
import { test } from "node:test";
import { titleFrom } from "../../examples/demo/offline-responder.js";
import { app } from "../../examples/quickstart.js";
import { textProblem } from "../../src/index.js";
import { parseSse } from "../support/helpers.js";

// A title cut between the two halves of an emoji could not be stored (the text rule).
const emojiAtTheCut = `${"a".repeat(39)}😀 and more words after it`;

test("the demo cuts titles by code points, never inside an emoji", () => {
  const title = titleFrom(emojiAtTheCut);
  assert.equal(title, `${"a".repeat(39)}😀…`);
  assert.equal(textProblem(title), undefined);
});

test("the quick start's title keeps a whole emoji at the cut", async () => {
  const body = JSON.stringify({ type: "threads.create", params: { input: { content: [{ type: "input_text", text: emojiAtTheCut }] } } });
  const response = await app.request("/chatkit", { method: "POST", body, headers: { "content-type": "application/json", "x-user-id": "titles" } });
  const events = parseSse(await response.text());
  assert.deepEqual(events.filter((event) => event.type === "error"), []);
  const updated = events.at(-1);
  assert.ok(updated?.type === "thread.updated");
  assert.equal(updated.thread.title, `${"a".repeat(39)}😀`);
});
