import type { Attachment } from "../protocol/attachment.js";
import type { ThreadItem } from "../protocol/items.js";
import type { Page, ThreadMetadata } from "../protocol/thread.js";
import { timeOf } from "./pagination.js";

/*
 * Row <-> record mapping shared by the SQL stores (SQLiteStore, PostgresStore). Driver-free on
 * purpose: each store imports only its own driver.
 *
 * Every table keeps the record as JSON exactly as given (`data`), plus the columns queries need:
 * `owner` (NULL when the store has no owner function or it returns undefined), `created_ms`
 * (`created_at` in ms, as InMemoryStore orders by) and a monotonically increasing `seq` that breaks
 * ties between equal times, so SQL pages equal InMemoryStore pages.
 */

/** The owner column value of a request: `null` stands for "no owner". */
export function ownerValue<TContext>(
  owner: ((context: TContext) => string | undefined) | undefined,
  context: TContext,
): string | null {
  return owner?.(context) ?? null;
}

/** Columns of a thread row, besides `owner` and `seq`. */
export function threadRow(thread: ThreadMetadata): { id: string; created_ms: number; data: string } {
  return { id: thread.id, created_ms: timeOf(thread.created_at), data: JSON.stringify(thread) };
}

/** Columns of an item row, besides `thread_id` and `seq`. */
export function itemRow(item: ThreadItem): { id: string; created_ms: number; data: string } {
  return { id: item.id, created_ms: timeOf(item.created_at), data: JSON.stringify(item) };
}

/** Columns of an attachment row, besides `owner`; `thread_id` lets deleteThread find its links. */
export function attachmentRow(attachment: Attachment): { id: string; thread_id: string | null; data: string } {
  return { id: attachment.id, thread_id: attachment.thread_id ?? null, data: JSON.stringify(attachment) };
}

/**
 * A stored record: text columns hold JSON text (SQLite), `jsonb` columns arrive already parsed
 * by the driver (pg). Either way the caller gets a fresh object.
 */
export function fromData<T>(data: unknown): T {
  return (typeof data === "string" ? JSON.parse(data) : data) as T;
}

/**
 * The page for rows fetched with `LIMIT size + 1`, in page order: protocol.md §7.3 step 3.
 */
export function pageFromRows<T>(rows: readonly { data: unknown }[], size: number): Page<T> {
  const hasMore = rows.length > size;
  const data = rows.slice(0, size).map((row) => fromData<T & { id: string }>(row.data));
  const page: Page<T> = { data, has_more: hasMore };
  const last = data[data.length - 1];
  if (hasMore && last) page.after = last.id;
  return page;
}

