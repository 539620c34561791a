import type { ThreadStreamEvent } from "../protocol/events.js";
import type { WidgetItem } from "../protocol/items.js";
import type { WidgetRoot } from "../protocol/widget.js";
import { defaultGenerateId } from "../store/ids.js";
import { diffWidget } from "./diff.js";

/** Options of `streamWidget`. */
export interface StreamWidgetOptions {
  /** What the copy button under the widget puts on the clipboard. */
  copyText?: string;
  /**
   * The item id. Defaults to `msg_` + 24 hex characters; inside a server pass the store's
   * generator, e.g. `() => this.store.generateItemId("message", thread, context)`.
   */
  generateId?: () => string;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<WidgetRoot> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/**
 * The events that show a widget in `thread` (widgets.md §3.4).
 *
 * - One root: a single `thread.item.done` carrying it.
 * - An async iterable of roots (successive frames of one widget): `thread.item.added` with the
 *   first, then for each later frame the `thread.item.updated` events of `diffWidget(previous,
 *   frame)` (text deltas, or a full replace), then `thread.item.done` with the last frame.
 *
 * Each frame is copied when it arrives, so a generator may mutate and re-yield the same object.
 * Stopping early (`break`, or `return()` on the iterator) closes the frame source, so its
 * `finally` blocks run. An empty frame source throws.
 *
 * ```ts
 * async *respond(thread) {
 *   yield* streamWidget(thread, Card({ children: [Text({ value: "Hi" })] }));
 * }
 * ```
 */
export async function* streamWidget(
  thread: { id: string },
  widget: WidgetRoot | AsyncIterable<WidgetRoot>,
  options: StreamWidgetOptions = {},
): AsyncGenerator<ThreadStreamEvent, void, undefined> {
  const id = (options.generateId ?? (() => defaultGenerateId("message")))();
  const created_at = new Date().toISOString();
  const item = (root: WidgetRoot): WidgetItem => ({
    type: "widget",
    id,
    thread_id: thread.id,
    created_at,
    widget: root,
    ...(options.copyText === undefined ? {} : { copy_text: options.copyText }),
  });

  if (!isAsyncIterable(widget)) {
    yield { type: "thread.item.done", item: item(structuredClone(widget)) };
    return;
  }

  let previous: WidgetRoot | undefined;
  for await (const frame of widget) {
    const current = structuredClone(frame);
    if (previous === undefined) {
      yield { type: "thread.item.added", item: item(current) };
    } else {
      for (const update of diffWidget(previous, current)) {
        yield { type: "thread.item.updated", item_id: id, update };
      }
    }
    // Cloned again because the consumer owns what was yielded and may change it.
    previous = structuredClone(current);
  }
  if (previous === undefined) throw new Error("streamWidget: the widget sequence produced no root");
  yield { type: "thread.item.done", item: item(previous) };
}
