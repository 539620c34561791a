import type { AssistantMessageContent } from "../protocol/content.js";
import type { ThreadItem } from "../protocol/items.js";
import type { ThreadItemUpdate } from "../protocol/updates.js";
import { applyWidgetUpdate } from "../widgets/apply.js";

const emptyPart = (): AssistantMessageContent => ({ type: "output_text", text: "", annotations: [] });

/**
 * Items added to the stream but not yet done, each a private copy with every streamed update
 * applied — what the user has seen of them, for the cancellation hook.
 */
export class PendingItems {
  readonly #items = new Map<string, ThreadItem>();

  /** Tracks a copy of `item`, isolated from the object the handler still holds. */
  add(item: ThreadItem): void {
    this.#items.set(item.id, structuredClone(item));
  }

  /** The pending copy of `itemId`, if the item is pending. */
  get(itemId: string): ThreadItem | undefined {
    return this.#items.get(itemId);
  }

  delete(itemId: string): void {
    this.#items.delete(itemId);
  }

  /** In insertion order. */
  values(): ThreadItem[] {
    return [...this.#items.values()];
  }

  /**
   * Applies `update` to `item`, a pending copy from `get`. Returns false when the update does not
   * fit the item's type (then nothing changes). An index or component the item does not have is
   * forwarded but not applied.
   */
  apply(item: ThreadItem, update: ThreadItemUpdate): boolean {
    switch (update.type) {
      case "assistant_message.content_part.added":
      case "assistant_message.content_part.done":
      case "assistant_message.content_part.text_delta":
      case "assistant_message.content_part.annotation_added": {
        if (item.type !== "assistant_message") return false;
        const content = item.content;
        while (content.length <= update.content_index) content.push(emptyPart());
        const part = content[update.content_index]!;
        if (update.type === "assistant_message.content_part.text_delta") part.text += update.delta;
        else if (update.type === "assistant_message.content_part.annotation_added") {
          // Python inserts at the index when it exists, appends otherwise.
          part.annotations.splice(Math.min(update.annotation_index, part.annotations.length), 0, structuredClone(update.annotation));
        } else content[update.content_index] = structuredClone(update.content);
        return true;
      }
      case "workflow.task.added":
        if (item.type !== "workflow") return false;
        // Appends whatever `task_index` says, as Python does.
        item.workflow.tasks.push(structuredClone(update.task));
        return true;
      case "workflow.task.updated":
        if (item.type !== "workflow") return false;
        // An out-of-range index is forwarded but not applied (Python fails the stream instead).
        if (update.task_index < item.workflow.tasks.length) {
          item.workflow.tasks[update.task_index] = structuredClone(update.task);
        }
        return true;
      case "widget.root.updated":
      case "widget.component.updated":
      case "widget.streaming_text.value_delta":
        if (item.type !== "widget") return false;
        item.widget = applyWidgetUpdate(item.widget, update);
        return true;
      case "generated_image.updated":
        if (item.type !== "generated_image") return false;
        item.image = structuredClone(update.image);
        return true;
    }
  }
}
