import type { ThreadStreamEvent } from "../protocol/events.js";
import { isHiddenItem, type ThreadItem, type WidgetItem } from "../protocol/items.js";
import { jsonEqual } from "../protocol/json-equal.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import { toWireThread } from "../protocol/wire.js";
import type { StreamOptions } from "../protocol/events.js";
import type { Store } from "../store/store.js";
import { NotFoundError } from "../store/errors.js";
import { applyWidgetUpdate, isWidgetUpdate, type WidgetUpdate } from "../widgets/apply.js";
import { isDeliberateStreamError, toErrorEvent } from "./error-event.js";
import type { Logger } from "./logger.js";
import { PendingItems } from "./pending-items.js";

/** What the pipeline needs from the server. */
export interface PipelineHost<TContext> {
  readonly store: Store<TContext>;
  readonly logger: Logger;
  getStreamOptions(thread: ThreadMetadata, context: TContext): StreamOptions;
  handleStreamCancelled(thread: ThreadMetadata, pendingItems: ThreadItem[], context: TContext): Promise<void>;
}

/**
 * Whether the handler changed the thread since `last` (any field, metadata included). Runs after
 * every event, so it allocates nothing: field by field, cheapest first.
 */
function threadChanged(thread: ThreadMetadata, last: ThreadMetadata): boolean {
  return (
    !jsonEqual(thread.title, last.title) ||
    !jsonEqual(thread.created_at, last.created_at) ||
    !jsonEqual(thread.status, last.status) ||
    !jsonEqual(thread.metadata, last.metadata) ||
    !jsonEqual(thread.allowed_image_domains, last.allowed_image_domains)
  );
}

/**
 * Runs a handler's events through the protocol's pipeline (protocol.md §6): `stream_options`
 * first; done/removed/replaced persisted before they are forwarded; hidden items stored but not
 * sent; thread edits saved and announced with `thread.updated`; failures turned into an `error`
 * event. Items added but not done are tracked with every update applied; if the stream is
 * abandoned — `signal` aborted, or the consumer stops iterating — the handler is closed (its
 * `finally` blocks run) and `handleStreamCancelled` gets those pending items, exactly once.
 */
export async function* runPipeline<TContext>(
  host: PipelineHost<TContext>,
  thread: ThreadMetadata,
  context: TContext,
  signal: AbortSignal,
  handler: AsyncIterable<ThreadStreamEvent>,
): AsyncGenerator<ThreadStreamEvent, void, undefined> {
  const { store } = host;
  yield { type: "stream_options", stream_options: host.getStreamOptions(thread, context) };

  let last = structuredClone(thread);
  const pending = new PendingItems();
  let finished = false;

  /** Saves the changed thread and returns its `thread.updated` event. */
  async function saveThreadChange(): Promise<ThreadStreamEvent> {
    last = structuredClone(thread);
    await store.saveThread(thread, context);
    return { type: "thread.updated", thread: toWireThread(thread) };
  }

  try {
    try {
      for await (const event of handler) {
        if (signal.aborted) return; // the client is gone: what follows was never seen
        let forward = true;
        switch (event.type) {
          case "thread.item.added":
            pending.add(event.item);
            break;
          case "thread.item.done":
            await store.addThreadItem(thread.id, event.item, context);
            pending.delete(event.item.id);
            forward = !isHiddenItem(event.item);
            break;
          case "thread.item.removed":
            await store.deleteThreadItem(thread.id, event.item_id, context);
            pending.delete(event.item_id);
            break;
          case "thread.item.replaced":
            await store.saveItem(thread.id, event.item, context);
            pending.delete(event.item.id);
            break;
          case "thread.item.updated":
            if (!pending.apply(event.item_id, event.update) && isWidgetUpdate(event.update)) {
              await updateStoredWidget(host, thread, event.item_id, event.update, context);
            }
            break;
        }
        if (forward) yield event;
        // Inline check rather than a nested generator: this runs once per event.
        if (threadChanged(thread, last)) yield await saveThreadChange();
      }
    } catch (error) {
      if (signal.aborted) return; // an abort surfacing from the model call is a cancellation
      if (!isDeliberateStreamError(error)) host.logger.error("Error while streaming a response", error);
      finished = true;
      yield toErrorEvent(error);
    }
    // A handler that honours the abort by returning early was still cancelled.
    if (signal.aborted && !finished) return;
    finished = true;
    if (threadChanged(thread, last)) yield await saveThreadChange();
  } catch (error) {
    // A store failure while announcing the thread change: the stream still ends with an error.
    if (signal.aborted) return;
    host.logger.error("Error while saving the thread", error);
    yield toErrorEvent(error);
  } finally {
    if (!finished) {
      try {
        await host.handleStreamCancelled(thread, pending.values(), context);
      } catch (error) {
        host.logger.error("handleStreamCancelled failed", error);
      }
    }
  }
}

/**
 * A widget update for an item that is already stored (an action updating its sender): applied
 * and saved, so a reload shows what the user saw (widgets.md §2.3). Python only forwards it.
 */
async function updateStoredWidget<TContext>(
  host: PipelineHost<TContext>,
  thread: ThreadMetadata,
  itemId: string,
  update: WidgetUpdate,
  context: TContext,
): Promise<void> {
  let item: ThreadItem;
  try {
    item = await host.store.loadItem(thread.id, itemId, context);
  } catch (error) {
    if (error instanceof NotFoundError) return;
    throw error;
  }
  if (item.type !== "widget") return;
  const updated: WidgetItem = { ...item, widget: applyWidgetUpdate(item.widget, update) };
  await host.store.saveItem(thread.id, updated, context);
}
