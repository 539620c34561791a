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

  delete(itemId: string): void {
    this.#items.delete(itemId);
  }

  /** In insertion order. */
  values(): ThreadItem[] {
    return [...this.#items.values()];
  }

  /**
   * Applies `update` to the pending copy of `itemId`. Returns false when there is no such
   * pending item, or the update does not fit it (then nothing changes).
   */
  apply(itemId: string, update: ThreadItemUpdate): boolean {
    const item = this.#items.get(itemId);
    if (!item) return false;
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
        // An out-of-range index is forwarded but not applied (Python fails the stream instead).
        if (item.type !== "workflow" || update.task_index >= item.workflow.tasks.length) return false;
        item.workflow.tasks[update.task_index] = structuredClone(update.task);
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
