import assert from "node:assert/strict";
import { test } from "node:test";
import { NonStreamingResult, type ThreadStreamEvent } from "../../src/index.js";
import { WidgetServer } from "../../examples/widget-server.js";
import { InMemoryStore } from "../../src/index.js";
import { create, createdThreadId, MemoryLogger, stream } from "../support/helpers.js";

const ctx = { userId: "u1" };

test("examples/widget-server.ts streams the draft and handles Send and Discard", async () => {
  const server = new WidgetServer({ store: new InMemoryStore<{ userId: string }>(), logger: new MemoryLogger() });
  const events = await stream(server, create("the launch"), ctx);
  const threadId = createdThreadId(events);

  const added = events.find((e) => e.type === "thread.item.added" && e.item.type === "widget");
  assert.ok(added?.type === "thread.item.added" && added.item.type === "widget");
  const itemId = added.item.id;
  assert.match(itemId, /^msg_[0-9a-f]{24}$/);
  const updates = events.flatMap((e) => (e.type === "thread.item.updated" && e.item_id === itemId ? [e.update] : []));
  const deltas = updates.flatMap((u) => (u.type === "widget.streaming_text.value_delta" ? [u.delta] : []));
  const body = "Hi Pam, a quick note about **the launch**: all good on my side. Cheers!";
  assert.equal(deltas.join(""), body);
  assert.ok(updates.every((u) => u.type !== "widget.streaming_text.value_delta" || (u.component_id === "body" && !u.done)));
  assert.equal(updates.at(-1)?.type, "widget.root.updated");
  const done = events.find((e): e is Extract<ThreadStreamEvent, { type: "thread.item.done" }> => e.type === "thread.item.done" && e.item.id === itemId);
  assert.ok(done?.item.type === "widget");
  assert.equal(done.item.copy_text, "Draft email");
  assert.deepEqual((done.item.widget.children[1] as { value: string; streaming: boolean }), { type: "Markdown", id: "body", value: body, streaming: false });

  // "Send": a streaming action that replaces the card and adds a message.
  const sendEvents = await stream(
    server,
    { type: "threads.custom_action", params: { thread_id: threadId, item_id: itemId, action: { type: "email.send", payload: { to: "pam@example.com" }, handler: "server" } } },
    ctx,
  );
  assert.deepEqual(sendEvents.slice(0, 2), [
    { type: "stream_options", stream_options: { allow_cancel: true } },
    {
      type: "thread.item.updated",
      item_id: itemId,
      update: { type: "widget.root.updated", widget: { type: "Card", collapsed: true, children: [{ type: "Text", value: "Sent to pam@example.com.", color: "secondary" }] } },
    },
  ]);
  assert.equal(sendEvents[2]?.type === "thread.item.done" && sendEvents[2].item.type, "assistant_message");
  const stored = await server.store.loadItem(threadId, itemId, ctx);
  assert.ok(stored.type === "widget");
  assert.ok(stored.widget.type === "Card" && stored.widget.collapsed === true);

  // "Discard": a sync action answering the updated item.
  const result = await server.process(
    JSON.stringify({ type: "threads.sync_custom_action", params: { thread_id: threadId, item_id: itemId, action: { type: "email.discard", payload: { to: "pam@example.com" } } } }),
    ctx,
  );
  assert.ok(result instanceof NonStreamingResult);
  const answer = JSON.parse(result.json) as { updated_item: { widget: unknown } };
  assert.deepEqual(answer.updated_item.widget, { type: "Card", collapsed: true, children: [{ type: "Text", value: "Draft discarded.", color: "secondary" }] });

  // A payload that does not parse is ignored, not trusted.
  const bogus = await server.process(
    JSON.stringify({ type: "threads.sync_custom_action", params: { thread_id: threadId, item_id: itemId, action: { type: "email.discard", payload: { to: 42 } } } }),
    ctx,
  );
  assert.equal((bogus as NonStreamingResult).json, "{}");
});
