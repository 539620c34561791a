import type { StreamOptions, ThreadStreamEvent } from "../protocol/events.js";
import { isHiddenItem, type ThreadItem, type WidgetItem } from "../protocol/items.js";
import { jsonEqual } from "../protocol/json-equal.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import { toWireThread } from "../protocol/wire.js";
import { NotFoundError } from "../store/errors.js";
import type { Store } from "../store/store.js";
import { applyWidgetUpdate, isWidgetUpdate, type WidgetUpdate } from "../widgets/apply.js";
import type { CleanupRegistry } from "./cleanups.js";
import type { Logger } from "./logger.js";
import { PendingItems } from "./pending-items.js";

/** What the pipeline needs from the server. */
export interface PipelineHost<TContext> {
  readonly store: Store<TContext>;
  readonly logger: Logger;
  /** Where cancellation cleanups announce themselves, so reads of the thread can wait for them. */
  readonly cleanups: CleanupRegistry;
  /** How long a cancellation waits for the handler to stop before cleaning up without it. */
  readonly cancelGraceMs: number;
  getStreamOptions(thread: ThreadMetadata, context: TContext): StreamOptions;
  handleStreamCancelled(thread: ThreadMetadata, pendingItems: ThreadItem[], context: TContext): Promise<void>;
}

/**
 * The protocol's event pipeline for one turn (protocol.md §6), one event at a time: done,
 * removed and replaced are persisted before they are forwarded; hidden items are stored but not
 * sent; items added but not done are tracked with every update applied (for the cancellation
 * hook); edits to the thread are detected, saved and announced with `thread.updated`.
 *
 * The stream that drives it (`TurnStream`) decides when each step runs; keeping the steps
 * synchronous where no store call is needed keeps text deltas cheap.
 */
export class EventPipeline<TContext> {
  readonly pending = new PendingItems();
  readonly #host: PipelineHost<TContext>;
  readonly #thread: ThreadMetadata;
  readonly #context: TContext;
  #last: ThreadMetadata;

  constructor(host: PipelineHost<TContext>, thread: ThreadMetadata, context: TContext) {
    this.#host = host;
    this.#thread = thread;
    this.#context = context;
    this.#last = structuredClone(thread);
  }

  /** The first event of every pipeline. */
  streamOptions(): ThreadStreamEvent {
    return { type: "stream_options", stream_options: this.#host.getStreamOptions(this.#thread, this.#context) };
  }

  /**
   * Tracks and persists one handler event; returns what to forward (nothing for a hidden item's
   * `done`). A promise only when the store is involved.
   */
  accept(event: ThreadStreamEvent): ThreadStreamEvent | undefined | Promise<ThreadStreamEvent | undefined> {
    switch (event.type) {
      case "thread.item.updated":
        if (this.pending.apply(event.item_id, event.update) || !isWidgetUpdate(event.update)) return event;
        return this.#updateStoredWidget(event.item_id, event.update).then(() => event);
      case "thread.item.added":
        this.pending.add(event.item);
        return event;
      case "thread.item.done":
        return this.#host.store.addThreadItem(this.#thread.id, event.item, this.#context).then(() => {
          this.pending.delete(event.item.id);
          return isHiddenItem(event.item) ? undefined : event;
        });
      case "thread.item.removed":
        return this.#host.store.deleteThreadItem(this.#thread.id, event.item_id, this.#context).then(() => {
          this.pending.delete(event.item_id);
          return event;
        });
      case "thread.item.replaced":
        return this.#host.store.saveItem(this.#thread.id, event.item, this.#context).then(() => {
          this.pending.delete(event.item.id);
          return event;
        });
      default:
        return event;
    }
  }

  /** Whether the handler changed the thread since the last check. Allocation-free: it runs per event. */
  threadChanged(): boolean {
    const thread = this.#thread;
    const last = this.#last;
    return (
      !jsonEqual(thread.title, last.title) ||
      !jsonEqual(thread.created_at, last.created_at) ||
      !jsonEqual(thread.status, last.status) ||
      !jsonEqual(thread.metadata, last.metadata) ||
      !jsonEqual(thread.allowed_image_domains, last.allowed_image_domains)
    );
  }

  /** Saves the changed thread and returns its announcement. */
  async saveThread(): Promise<ThreadStreamEvent> {
    this.#last = structuredClone(this.#thread);
    await this.#host.store.saveThread(this.#thread, this.#context);
    return { type: "thread.updated", thread: toWireThread(this.#thread) };
  }

  /** The cancellation hook, with the pending items; a failure is logged, never thrown. */
  cancelled(): Promise<void> {
    const cleanup = (async () => {
      try {
        await this.#host.handleStreamCancelled(this.#thread, this.pending.values(), this.#context);
      } catch (error) {
        this.#host.logger.error("handleStreamCancelled failed", error);
      }
    })();
    this.#host.cleanups.track(this.#thread.id, cleanup);
    return cleanup;
  }

  /**
   * A widget update for an item that is already stored (an action updating its sender): applied
   * and saved, so a reload shows what the user saw (widgets.md §2.3). Python only forwards it.
   */
  async #updateStoredWidget(itemId: string, update: WidgetUpdate): Promise<void> {
    const { store } = this.#host;
    let item: ThreadItem;
    try {
      item = await store.loadItem(this.#thread.id, itemId, this.#context);
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
    if (item.type !== "widget") return;
    const updated: WidgetItem = { ...item, widget: applyWidgetUpdate(item.widget, update) };
    await store.saveItem(this.#thread.id, updated, this.#context);
  }
}
