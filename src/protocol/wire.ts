import type { Attachment } from "./attachment.js";
import type { ThreadStreamEvent } from "./events.js";
import { isHiddenItem, type ThreadItem } from "./items.js";
import type { Page, Thread, ThreadMetadata } from "./thread.js";

/*
 * What the server sends is plain `JSON.stringify` of these shapes: optional fields are absent
 * rather than null (see `optional`), so only the privacy rules of protocol.md §5.4–5.5 need code.
 */

const EMPTY_PAGE: Page<ThreadItem> = Object.freeze({ data: [], has_more: false }) as Page<ThreadItem>;

/** A thread as the client sees it: metadata replaced by `{}` and the given item page. */
export function toWireThread(thread: ThreadMetadata, items: Page<ThreadItem> = EMPTY_PAGE): Thread {
  return {
    id: thread.id,
    created_at: thread.created_at,
    title: thread.title,
    status: thread.status,
    allowed_image_domains: thread.allowed_image_domains,
    metadata: {},
    items,
  };
}

/** An attachment without its integration-only `metadata`. */
export function toWireAttachment<T extends Attachment>(attachment: T): T {
  if (attachment.metadata === undefined) return attachment;
  const { metadata: _metadata, ...rest } = attachment;
  return rest as T;
}

/** An item without attachment metadata; returns the same object when there is nothing to strip. */
export function toWireItem<T extends ThreadItem>(item: T): T {
  if (item.type !== "user_message" || !item.attachments.some((a) => a.metadata !== undefined)) {
    return item;
  }
  return { ...item, attachments: item.attachments.map(toWireAttachment) };
}

/** A page of items for the client: hidden items removed after pagination, cursor kept. */
export function toWirePage(page: Page<ThreadItem>): Page<ThreadItem> {
  const data: ThreadItem[] = [];
  for (const item of page.data) if (!isHiddenItem(item)) data.push(toWireItem(item));
  return { data, has_more: page.has_more, after: page.after };
}

/** An event as sent on the wire. Cheap for the hot path: most events pass through untouched. */
export function toWireEvent(event: ThreadStreamEvent): ThreadStreamEvent {
  switch (event.type) {
    case "thread.created":
    case "thread.updated":
      return { type: event.type, thread: toWireThread(event.thread, event.thread.items) };
    case "thread.item.added":
    case "thread.item.done":
    case "thread.item.replaced": {
      const item = toWireItem(event.item);
      return item === event.item ? event : { type: event.type, item };
    }
    default:
      return event;
  }
}
