import type { SDKHiddenContextItem, ThreadItem } from "../protocol/items.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import { settleStreamingText } from "../widgets/apply.js";

/** The note stored for the model after a cancelled response (the Python SDK's exact text). */
export const USER_CANCELLED_NOTE = "The user cancelled the stream. Stop responding to the prior request.";

const hasText = (item: ThreadItem) =>
  item.type === "assistant_message" && item.content.some((part) => part.text.trim() !== "");

/**
 * Of the items pending when a stream was cancelled, the ones worth keeping, as they should be
 * stored: assistant messages with text, workflows with tasks, widgets (their streaming text
 * settled), generated images that already show an image. Tool calls, structured inputs and
 * hidden items are dropped. Useful to overrides of `handleStreamCancelled`.
 */
export function partialItemsToKeep(pendingItems: readonly ThreadItem[]): ThreadItem[] {
  const kept: ThreadItem[] = [];
  for (const item of pendingItems) {
    switch (item.type) {
      case "assistant_message":
        if (hasText(item)) kept.push(item);
        break;
      case "workflow":
        if (item.workflow.tasks.length > 0) kept.push(item);
        break;
      case "widget":
        kept.push({ ...item, widget: settleStreamingText(item.widget) });
        break;
      case "generated_image":
        if (item.image) kept.push(item);
        break;
    }
  }
  return kept;
}

/** The hidden item that tells the model the user cancelled the previous response. */
export function userCancelledNote(thread: ThreadMetadata, id: string): SDKHiddenContextItem {
  return {
    type: "sdk_hidden_context",
    id,
    thread_id: thread.id,
    created_at: new Date().toISOString(),
    content: USER_CANCELLED_NOTE,
  };
}
