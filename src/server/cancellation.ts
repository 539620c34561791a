import type { SDKHiddenContextItem, ThreadItem } from "../protocol/items.js";
import type { ThreadMetadata } from "../protocol/thread.js";
import type { Store } from "../store/store.js";
import { settleStreamingText } from "../widgets/apply.js";
import { settleWorkflow } from "./workflow-end.js";

/** The note stored for the model after a cancelled response (the Python SDK's exact text). */
export const USER_CANCELLED_NOTE = "The user cancelled the stream. Stop responding to the prior request.";

/** The note stored for the model after a response that failed midway (an error, not a Stop). */
export const STREAM_FAILED_NOTE =
  "The previous response failed midway because of an error; the user saw only the part of it streamed before the failure.";

const hasText = (item: ThreadItem) =>
  item.type === "assistant_message" && item.content.some((part) => part.text.trim() !== "");

/**
 * Of the items pending when a stream was cancelled or failed, the ones worth keeping, as they
 * should be stored: assistant messages with text, workflows with tasks (settled: no task left
 * loading, ended with their duration), widgets (their streaming text settled), generated images
 * that already show an image. Tool calls, structured inputs and hidden items are dropped. Useful
 * to overrides of `handleStreamCancelled` and `handleStreamError`.
 */
export function partialItemsToKeep(pendingItems: readonly ThreadItem[]): ThreadItem[] {
  const kept: ThreadItem[] = [];
  for (const item of pendingItems) {
    switch (item.type) {
      case "assistant_message":
        if (hasText(item)) kept.push(item);
        break;
      case "workflow":
        if (item.workflow.tasks.length > 0) kept.push(settleWorkflow(item));
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

const hiddenNote = (thread: ThreadMetadata, id: string, content: string): SDKHiddenContextItem => ({
  type: "sdk_hidden_context",
  id,
  thread_id: thread.id,
  created_at: new Date().toISOString(),
  content,
});

/** The hidden item that tells the model the user cancelled the previous response. */
export function userCancelledNote(thread: ThreadMetadata, id: string): SDKHiddenContextItem {
  return hiddenNote(thread, id, USER_CANCELLED_NOTE);
}

/** The hidden item that tells the model the previous response failed midway. */
export function streamFailedNote(thread: ThreadMetadata, id: string): SDKHiddenContextItem {
  return hiddenNote(thread, id, STREAM_FAILED_NOTE);
}

/**
 * What the default hooks store after a turn that ended early: what the user saw of the pending
 * items (`partialItemsToKeep`), then the hidden `note` for the model.
 */
export async function keepWhatTheUserSaw<TContext>(
  store: Store<TContext>,
  thread: ThreadMetadata,
  pendingItems: readonly ThreadItem[],
  note: (thread: ThreadMetadata, id: string) => SDKHiddenContextItem,
  context: TContext,
): Promise<void> {
  for (const item of partialItemsToKeep(pendingItems)) await store.addThreadItem(thread.id, item, context);
  const noteId = store.generateItemId("sdk_hidden_context", thread, context);
  await store.addThreadItem(thread.id, note(thread, noteId), context);
}
