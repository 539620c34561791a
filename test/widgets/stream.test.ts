import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ThreadStreamEvent } from "../../src/protocol/events.js";
import { ThreadStreamEventSchema } from "../../src/protocol/events.js";
import { Card, streamWidget, Text } from "../../src/widgets/index.js";
import type { WidgetRoot } from "../../src/widgets/index.js";

const thread = { id: "thr_1" };
const hello = (n: number, extra: { streaming?: boolean } = {}) =>
  Card({ children: [Text({ id: "text", value: "Hello, world".slice(0, n), ...extra })] });

async function* frames(...roots: WidgetRoot[]) {
  for (const root of roots) yield root;
}

async function collect(events: AsyncIterable<ThreadStreamEvent>) {
  const out: ThreadStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** Replaces the generated `created_at` with a fixed value after checking it is one ISO string. */
function normalize(events: ThreadStreamEvent[]) {
  const stamps = new Set<string>();
  const json = JSON.parse(JSON.stringify(events), (key, value: unknown) => {
    if (key === "created_at" && typeof value === "string") {
      stamps.add(value);
      return "T";
    }
    return value;
  }) as unknown[];
  assert.ok(stamps.size <= 1, "one created_at for every event of the item");
  for (const stamp of stamps) assert.equal(new Date(stamp).toISOString(), stamp);
  return json;
}

const item = (widget: WidgetRoot, extra: Record<string, unknown> = {}) => ({
  type: "widget",
  id: "msg_1",
  thread_id: "thr_1",
  created_at: "T",
  widget,
  ...extra,
});
const generateId = () => "msg_1";

describe("streamWidget", () => {
  test("29: one root → exactly one thread.item.done, with copy_text and the generated id", async () => {
    const events = await collect(streamWidget(thread, hello(12), { copyText: "Hello", generateId }));
    assert.deepEqual(normalize(events), [{ type: "thread.item.done", item: item(hello(12), { copy_text: "Hello" }) }]);
    for (const event of events) ThreadStreamEventSchema.parse(event);
  });

  test("the default id is msg_ + 8 hex characters", async () => {
    const [event] = await collect(streamWidget(thread, hello(1)));
    assert.equal(event?.type, "thread.item.done");
    assert.match(event?.type === "thread.item.done" ? event.item.id : "", /^msg_[0-9a-f]{24}$/);
  });

  test("22: a growing sequence → added, three deltas, done", async () => {
    const events = await collect(
      streamWidget(thread, frames(hello(0), hello(3), hello(6), hello(12)), { generateId }),
    );
    const delta = (d: string) => ({
      type: "thread.item.updated",
      item_id: "msg_1",
      update: { type: "widget.streaming_text.value_delta", component_id: "text", delta: d, done: true },
    });
    assert.deepEqual(normalize(events), [
      { type: "thread.item.added", item: item(hello(0)) },
      delta("Hel"),
      delta("lo,"),
      delta(" world"),
      { type: "thread.item.done", item: item(hello(12)) },
    ]);
    for (const event of events) ThreadStreamEventSchema.parse(event);
  });

  test("23: a full replace in a sequence → added, root.updated, done", async () => {
    const text = (value: string) => Card({ children: [Text({ id: "text", value })] });
    const events = await collect(streamWidget(thread, frames(text("Hello"), text("World")), { generateId }));
    assert.deepEqual(normalize(events), [
      { type: "thread.item.added", item: item(text("Hello")) },
      { type: "thread.item.updated", item_id: "msg_1", update: { type: "widget.root.updated", widget: text("World") } },
      { type: "thread.item.done", item: item(text("World")) },
    ]);
  });

  test("an unchanged frame gives no update; streaming flags are carried into done", async () => {
    const events = await collect(
      streamWidget(thread, frames(hello(3, { streaming: true }), hello(3, { streaming: true }), hello(5, { streaming: true })), {
        generateId,
      }),
    );
    assert.deepEqual(normalize(events), [
      { type: "thread.item.added", item: item(hello(3, { streaming: true })) },
      {
        type: "thread.item.updated",
        item_id: "msg_1",
        update: { type: "widget.streaming_text.value_delta", component_id: "text", delta: "lo", done: false },
      },
      { type: "thread.item.done", item: item(hello(5, { streaming: true })) },
    ]);
  });

  test("a generator may mutate and re-yield the same root", async () => {
    async function* growing() {
      const card = hello(0, { streaming: true });
      yield card;
      for (const piece of ["Hel", "lo"]) {
        (card.children[0] as { value: string }).value += piece;
        yield card;
      }
    }
    const events = await collect(streamWidget(thread, growing(), { generateId }));
    assert.deepEqual(
      normalize(events).map((e) => (e as { update?: { delta?: string } }).update?.delta ?? (e as { type: string }).type),
      ["thread.item.added", "Hel", "lo", "thread.item.done"],
    );
    assert.deepEqual(normalize(events)[0], { type: "thread.item.added", item: item(hello(0, { streaming: true })) });
  });

  test("30: an empty sequence throws a clear error", async () => {
    await assert.rejects(collect(streamWidget(thread, frames(), { generateId })), {
      message: "streamWidget: the widget sequence produced no root",
    });
  });

  test("an error from the sequence propagates after the events so far (the item stays pending)", async () => {
    async function* failing() {
      yield hello(1);
      throw new Error("model failed");
    }
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const event of streamWidget(thread, failing(), { generateId })) seen.push(event.type);
    }, /model failed/);
    assert.deepEqual(seen, ["thread.item.added"]);
  });

  test("a frame that is not a widget fails the stream loudly", async () => {
    async function* bad() {
      yield hello(1);
      yield null as unknown as WidgetRoot;
    }
    await assert.rejects(collect(streamWidget(thread, bad(), { generateId })));
  });

  test("stopping early closes the frame source, so its finally blocks run", async () => {
    let closed = false;
    async function* source() {
      try {
        yield hello(0, { streaming: true });
        yield hello(3, { streaming: true });
        yield hello(6, { streaming: true });
      } finally {
        closed = true;
      }
    }
    const seen: string[] = [];
    for await (const event of streamWidget(thread, source(), { generateId })) {
      seen.push(event.type);
      if (event.type === "thread.item.updated") break;
    }
    assert.deepEqual(seen, ["thread.item.added", "thread.item.updated"]);
    assert.equal(closed, true);
  });
});
