import type { StreamOptions, ThreadStreamEvent } from "../protocol/events.js";
import { isHiddenItem, type ThreadItem, type WidgetItem } from "../protocol/items.js";
import { jsonEqual } from "../protocol/json-equal.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import type { ThreadItemUpdate } from "../protocol/updates.js";
import { toWireThread } from "../protocol/wire.js";
import { NotFoundError } from "../store/errors.js";
import type { Store } from "../store/store.js";
import { applyWidgetUpdate, isWidgetUpdate } from "../widgets/apply.js";
import type { CleanupRegistry } from "./cleanups.js";
import { InvalidEventError, validateEvent, validateThread } from "./event-validation.js";
import type { Logger } from "./logger.js";
import { PendingItems } from "./pending-items.js";

/** How long turns may take; see `ChatKitServerOptions`. */
export interface TurnLimits {
  /** How long a cancellation waits for the handler to stop before cleaning up without it. */
  readonly cancelGraceMs: number;
  /** How long a turn may run before it is cancelled; `Infinity` for no limit. */
  readonly maxTurnMs: number;
}

/** What the pipeline needs from the server. */
export interface PipelineHost<TContext> {
  readonly store: Store<TContext>;
  readonly logger: Logger;
  /** Where cleanups of turns that ended early announce themselves, so reads of the thread can wait for them. */
  readonly cleanups: CleanupRegistry;
  readonly turnLimits: TurnLimits;
  getStreamOptions(thread: ThreadMetadata, context: TContext): StreamOptions;
  handleStreamCancelled(thread: ThreadMetadata, pendingItems: ThreadItem[], context: TContext): Promise<void>;
  handleStreamError(thread: ThreadMetadata, pendingItems: ThreadItem[], error: unknown, context: TContext): Promise<void>;
}

const unknownItem = (itemId: string) =>
  new InvalidEventError(`Invalid event from the response handler: item_id: no item ${itemId} is streaming or stored in this thread`);
const doesNotFit = (update: ThreadItemUpdate, item: ThreadItem) =>
  new InvalidEventError(
    `Invalid event from the response handler: update: ${update.type} does not apply to ${item.type} item ${item.id}`,
  );

/**
 * The protocol's event pipeline for one turn, one event at a time: each event is validated
 * first (nothing invalid is stored or sent); done, removed and replaced are persisted before they
 * are forwarded; hidden items are stored but never sent; items added but not done are tracked
 * with every update applied (for the cancellation and error hooks); updates of items that are
 * neither pending nor stored are refused; edits to the thread are detected, validated, saved and
 * announced with `thread.updated`.
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
   * Validates, tracks and persists one handler event; returns what to forward (nothing for a
   * hidden item). A promise only when the store is involved. Throws `InvalidEventError`.
   */
  accept(raw: unknown): ThreadStreamEvent | undefined | Promise<ThreadStreamEvent | undefined> {
    const event = validateEvent(raw);
    switch (event.type) {
      case "thread.item.updated": {
        const item = this.pending.get(event.item_id);
        if (item) {
          if (!this.pending.apply(item, event.update)) throw doesNotFit(event.update, item);
          return event;
        }
        return this.#updateStoredItem(event.item_id, event.update).then(() => event);
      }
      case "thread.item.added":
        this.pending.add(event.item);
        return isHiddenItem(event.item) ? undefined : event;
      case "thread.item.done":
        return this.#host.store.addThreadItem(this.#thread.id, event.item, this.#context).then(() => {
          this.pending.delete(event.item.id);
          return isHiddenItem(event.item) ? undefined : event;
        });
      case "thread.item.removed": {
        const pending = this.pending.get(event.item_id);
        return this.#host.store.deleteThreadItem(this.#thread.id, event.item_id, this.#context).then(() => {
          this.pending.delete(event.item_id);
          return pending && isHiddenItem(pending) ? undefined : event;
        });
      }
      case "thread.item.replaced":
        return this.#host.store.saveItem(this.#thread.id, event.item, this.#context).then(() => {
          this.pending.delete(event.item.id);
          return isHiddenItem(event.item) ? undefined : event;
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

  /** Validates and saves the changed thread; returns its announcement. */
  async saveThread(): Promise<ThreadStreamEvent> {
    this.#last = structuredClone(this.#thread);
    const thread = validateThread(this.#thread);
    await this.#host.store.saveThread(thread, this.#context);
    return { type: "thread.updated", thread: toWireThread(thread) };
  }

  /** The cancellation hook, with the pending items; a failure is logged, never thrown. */
  cancelled(): Promise<void> {
    return this.#hook("handleStreamCancelled", () =>
      this.#host.handleStreamCancelled(this.#thread, this.pending.values(), this.#context),
    );
  }

  /** The error hook, with the pending items and the error; a failure is logged, never thrown. */
  failed(error: unknown): Promise<void> {
    return this.#hook("handleStreamError", () =>
      this.#host.handleStreamError(this.#thread, this.pending.values(), error, this.#context),
    );
  }

  async #hook(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#host.logger.error(`${name} failed`, error);
    }
  }

  /**
   * An update of an item that is not pending but stored. A widget update (an action updating its
   * sender) is applied and saved at once, so a reload shows what the user saw; Python only
   * forwards it. Any other update continues an item of an earlier turn (a workflow resumed after
   * a client tool call): the item is tracked as pending again, so Stop or a failure keeps it as
   * the user sees it, and its `done` stores it.
   */
  async #updateStoredItem(itemId: string, update: ThreadItemUpdate): Promise<void> {
    const { store } = this.#host;
    let item: ThreadItem;
    try {
      item = await store.loadItem(this.#thread.id, itemId, this.#context);
    } catch (error) {
      if (error instanceof NotFoundError) throw unknownItem(itemId);
      throw error;
    }
    if (isWidgetUpdate(update)) {
      if (item.type !== "widget") throw doesNotFit(update, item);
      const updated: WidgetItem = { ...item, widget: applyWidgetUpdate(item.widget, update) };
      await store.saveItem(this.#thread.id, updated, this.#context);
      return;
    }
    if (!this.pending.apply(item, update)) throw doesNotFit(update, item);
    this.pending.add(item);
  }
}
